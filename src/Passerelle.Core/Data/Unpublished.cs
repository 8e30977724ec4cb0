using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Projects;

namespace Passerelle.Core.Data;

/// <summary>
/// The participations the public sees (a published project's, and for a map a published organisation's), read the
/// cheaper way for how many records are unpublished (ADR 31, "the few unpublished records read once").
/// </summary>
/// <remarks>
/// Joining each participation to its project (or organisation) for its published flag reads one row of a table of
/// millions per participation: an organisation in 4,162 projects at 2 M had its flags read four times for its page, and
/// its co-partners' 18,446 participations each read their organisation's row (87 ms of its map's 133). A registry
/// publishes nearly every record it holds (a draft, a withdrawn or deleted record is unpublished), so when few are
/// unpublished their ids are read once per statement from a partial index that holds only them
/// (<c>IX_Projects_Unpublished</c>, <c>IX_Organisations_Unpublished</c>) and excluded, and the participations are
/// read from their covering indexes alone. With many unpublished that set would cost more than the join it saves
/// (and PostgreSQL no longer hashes a large <c>NOT IN</c> set): the join is kept.
/// </remarks>
public static class Unpublished
{
    /// <summary>Up to this many unpublished records of a kind are excluded by their ids; above, each row's flag is read.</summary>
    public const int ExcludedByIdUpTo = 10_000;

    /// <summary>The participations in published projects.</summary>
    public static Task<IQueryable<Participation>> InPublishedProjectsAsync(PasserelleDbContext db, CancellationToken ct) =>
        ParticipationsAsync(db, organisationsToo: false, ExcludedByIdUpTo, ct);

    /// <summary>The participations of published organisations in published projects.</summary>
    public static Task<IQueryable<Participation>> PublishedAsync(PasserelleDbContext db, CancellationToken ct) =>
        ParticipationsAsync(db, organisationsToo: true, ExcludedByIdUpTo, ct);

    /// <summary>As above, with the bound given (a test takes each way with 0 and with the default).</summary>
    internal static async Task<IQueryable<Participation>> ParticipationsAsync(PasserelleDbContext db, bool organisationsToo, int upTo, CancellationToken ct)
    {
        var participations = db.Participations.AsNoTracking();
        // Counted by the partial index, never past the bound: a read of at most upTo + 1 index entries. Ordered by the
        // index's own key, which costs no sort and keeps EF from warning of a Take without an order.
        if (await db.Projects.Where(p => !p.IsPublished).OrderBy(p => p.IsPublished).Take(upTo + 1).CountAsync(ct) <= upTo)
        {
            var projects = db.Projects.Where(p => !p.IsPublished).Select(p => p.Id);
            participations = participations.Where(x => !projects.Contains(x.ProjectId));
        }
        else
        {
            participations = participations.Where(x => x.Project.IsPublished);
        }

        if (!organisationsToo)
        {
            return participations;
        }

        if (await db.Organisations.Where(o => !o.IsPublished).OrderBy(o => o.IsPublished).Take(upTo + 1).CountAsync(ct) <= upTo)
        {
            var organisations = db.Organisations.Where(o => !o.IsPublished).Select(o => o.Id);
            return participations.Where(x => !organisations.Contains(x.OrganisationId));
        }

        return participations.Where(x => x.Organisation.IsPublished);
    }
}
