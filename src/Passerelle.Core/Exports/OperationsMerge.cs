using System.Data;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Infrastructure;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>
/// The full list of operations as a merge join of two flat queries (ADR 32): the projects in list order, and the
/// participations of published organisations sorted the same way (then by organisation name). Each project's partners
/// are the run of partner rows with its id at the head of the second stream, so memory holds one project and its
/// partners, whatever the number of rows. The one-query EF projection (<see cref="OperationsList.Rows"/>) evaluates
/// five lead-partner subqueries and a partner collection per row, which made the export query-bound (7.9 MB/s at 100k).
/// </summary>
/// <remarks>
/// Both queries must read the same snapshot, or a project published between them would leave partner rows that match
/// no project and stall the merge. SQLite runs both readers on the one connection inside one read transaction; Npgsql
/// allows one open reader per connection, so PostgreSQL reads the second stream on a second connection that imports
/// the first one's snapshot (<c>pg_export_snapshot</c>, as <c>pg_dump --jobs</c> does).
/// </remarks>
internal static partial class OperationsMerge
{
    private sealed record ProjectPart(
        int Id,
        string Programme,
        string Acronym,
        LocalizedText Title,
        LocalizedText Summary,
        string? StartDate,
        string? EndDate,
        decimal? TotalBudget,
        decimal? EuContribution,
        decimal? StatedEuRate,
        List<string>? Funds,
        string? SpecificObjective,
        string? InterventionField);

    private sealed record PartnerPart(
        int ProjectId,
        int OrganisationId,
        string Name,
        string? City,
        string? Country,
        double? Latitude,
        double? Longitude,
        bool IsLead);

    public static async IAsyncEnumerable<OperationRow> RowsAsync(
        PasserelleDbContext db, string? programme, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            // A caller's transaction already fixes what is read; PostgreSQL could not share its snapshot with a second
            // connection from here, so the projection (one query) serves that rare case.
            await foreach (var row in OperationsList.Rows(OperationsList.Ordered(db, programme)).AsAsyncEnumerable().WithCancellation(ct))
            {
                yield return row;
            }

            yield break;
        }

        var postgres = db.Database.IsNpgsql();
        PasserelleDbContext? sibling = null;
        IDbContextTransaction transaction;
        if (postgres)
        {
            transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        }
        else
        {
            // Deferred: a plain BEGIN takes no lock until the first read, so writers go on while the file streams
            // (Microsoft.Data.Sqlite's default BEGIN IMMEDIATE would hold the write lock for the whole export).
            await db.Database.OpenConnectionAsync(ct);
            var sqlite = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            transaction = await db.Database.UseTransactionAsync(sqlite, ct) ?? throw new InvalidOperationException("No transaction.");
        }

        try
        {
            var partnersDb = db;
            if (postgres)
            {
                var snapshot = await db.Database.SqlQueryRaw<string>("SELECT pg_export_snapshot() AS \"Value\"").SingleAsync(ct);
                if (!SnapshotId().IsMatch(snapshot))
                {
                    throw new InvalidOperationException($"Unexpected snapshot id '{snapshot}'.");
                }

                sibling = new PostgresDbContext((DbContextOptions<PostgresDbContext>)db.GetService<IDbContextOptions>());
                await sibling.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                // SET TRANSACTION SNAPSHOT takes no parameter; the id was checked above to be the server's own format.
#pragma warning disable EF1003
                await sibling.Database.ExecuteSqlRawAsync("SET TRANSACTION SNAPSHOT '" + snapshot + "'", ct);
#pragma warning restore EF1003
                partnersDb = sibling;
            }

            await using var partners = Partners(partnersDb, programme).AsAsyncEnumerable().GetAsyncEnumerator(ct);
            var pending = await partners.MoveNextAsync() ? partners.Current : null;
            await foreach (var p in Projects(db, programme).AsAsyncEnumerable().WithCancellation(ct))
            {
                var list = new List<OperationPartner>();
                PartnerPart? lead = null;
                while (pending is not null && pending.ProjectId == p.Id)
                {
                    list.Add(new OperationPartner(pending.Name, pending.Country, pending.IsLead));
                    if (pending.IsLead && (lead is null || pending.OrganisationId < lead.OrganisationId))
                    {
                        lead = pending;
                    }

                    pending = await partners.MoveNextAsync() ? partners.Current : null;
                }

                yield return new OperationRow(
                    p.Id, p.Programme, p.Acronym, p.Title, p.Summary, p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate,
                    p.Funds, p.SpecificObjective, p.InterventionField,
                    lead?.Name, lead?.City, lead?.Country, lead?.Latitude, lead?.Longitude, list);
            }

            if (pending is not null)
            {
                // Both streams read one snapshot in one order, so this is a defect, not a race: say so rather than
                // end the file with partners silently dropped.
                throw new InvalidOperationException($"The partner stream of the list of operations is out of step at project {pending.ProjectId}.");
            }
        }
        finally
        {
            if (sibling is not null)
            {
                await sibling.DisposeAsync();
            }

            // Read only: nothing to commit.
            await transaction.RollbackAsync(CancellationToken.None);
            await transaction.DisposeAsync();
            if (!postgres)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static IQueryable<ProjectPart> Projects(PasserelleDbContext db, string? programme) =>
        OperationsList.Ordered(db, programme).Select(p => new ProjectPart(
            p.Id,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : p.ProgrammeCode,
            p.Acronym, p.Title, p.Summary, p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Funds : null,
            p.SpecificObjective, p.InterventionField));

    /// <summary>The same filter and order as <see cref="OperationsList.Ordered"/>, then the projection's partner order.</summary>
    private static IQueryable<PartnerPart> Partners(PasserelleDbContext db, string? programme)
    {
        var query = db.Participations.AsNoTracking().Where(x => x.Organisation.IsPublished && x.Project.IsPublished);
        if (programme is not null)
        {
            query = query.Where(x => x.Project.ProgrammeCode == programme
                || (x.Project.Programme != null && x.Project.Programme.IsPublished && x.Project.Programme.Slug == programme));
        }

        return query
            .OrderBy(x => x.Project.Programme != null && x.Project.Programme.IsPublished ? x.Project.Programme.Slug : x.Project.ProgrammeCode)
            .ThenBy(x => x.Project.Acronym).ThenBy(x => x.ProjectId)
            .ThenBy(x => x.Organisation.Name).ThenBy(x => x.Id)
            .Select(x => new PartnerPart(x.ProjectId, x.OrganisationId, x.Organisation.Name, x.Organisation.City, x.Organisation.Country,
                x.Organisation.Latitude, x.Organisation.Longitude, x.Role == ParticipationRole.LeadPartner));
    }

    [GeneratedRegex("^[0-9A-F-]+$")]
    private static partial Regex SnapshotId();
}
