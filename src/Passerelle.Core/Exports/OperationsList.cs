using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>One operation of the list; <see cref="ProjectId"/> is not a column (the editions key their codes by it).</summary>
public sealed record OperationRow(
    int ProjectId,
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
    string? InterventionField,
    string? LeadName,
    string? LeadCity,
    string? LeadCountry,
    double? LeadLatitude,
    double? LeadLongitude,
    List<OperationPartner> Partners);

public sealed record OperationPartner(string Name, string? Country, bool IsLead);

/// <summary>
/// The list of operations with the fields of Article 49(3) of Regulation (EU) 2021/1060 (CPR), for all periods.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The seed projects are 2014-2020 operations, for which Article 115(2) and Annex XII of Regulation (EU)
/// No 1303/2013 applied; the export uses the Article 49(3) field list for every period so that one table covers both.</item>
/// <item>Beneficiary (Art. 49(3)(a)): an Interreg operation has a partnership, not one beneficiary. One row per
/// operation: the lead partner — the beneficiary that signs for the partnership (Art. 26 of Regulation (EU)
/// 2021/1059) — in the beneficiary column, the other partners listed in the next column.</item>
/// <item>Unknown values are left empty, never invented: the co-financing rate only when a source states it or two
/// sourced amounts give it; the fund from the programme record, empty when the programme's period is not known.</item>
/// <item>Location (Art. 49(3)(l)): the lead partner's town and coordinates, where known; the countries are those of
/// every partner whose country a source gives.</item>
/// </list>
/// </remarks>
public sealed class OperationsList(PasserelleDbContext db)
{
    public static IReadOnlyList<ExportColumn<OperationRow>> Columns { get; } =
    [
        new("Programme", r => r.Programme),
        new("Operation acronym", r => r.Acronym),
        new("Beneficiary (lead partner)", r => r.LeadName),
        new("Other partners", r => Join(r.Partners.Where(p => !p.IsLead).Select(p => p.Name))),
        new("Operation name", r => r.Title.Best()),
        new("Purpose and achievements", r => r.Summary.Best()),
        new("Start date", r => r.StartDate),
        new("End date (expected or actual)", r => r.EndDate),
        new("Total cost (EUR)", r => ExportRates.Normalise(r.TotalBudget)),
        new("Union contribution (EUR)", r => ExportRates.Normalise(r.EuContribution)),
        new("Fund", r => r.Funds is { Count: > 0 } funds ? string.Join("; ", funds) : null),
        new("Specific objective", r => r.SpecificObjective),
        new("Union co-financing rate (%)", r => ExportRates.Percent(r.StatedEuRate, r.TotalBudget, r.EuContribution)),
        new("Location indicator", r => r.LeadCity),
        new("Geolocation (lat, lon)", r => r.LeadLatitude is { } lat && r.LeadLongitude is { } lon
            ? FormattableString.Invariant($"{lat}, {lon}") : null),
        new("Country", r => Join(r.Partners.OrderBy(p => !p.IsLead).Select(p => p.Country).OfType<string>().Distinct())),
        new("Type of intervention", r => r.InterventionField),
    ];

    /// <summary>
    /// Every published operation in list order (programme, acronym, id), streamed by two flat queries merged in memory
    /// (<see cref="OperationsMerge"/>, ADR 32); the same rows as <see cref="OperationsByProjection"/>.
    /// </summary>
    public IAsyncEnumerable<OperationRow> Operations(string? programme = null, CancellationToken ct = default) =>
        OperationsMerge.RowsAsync(db, programme, ct);

    /// <summary>
    /// The whole list as CSV (every published operation): the programmes whose operations are unchanged since the last
    /// write are copied from its parts, the others read from the database (<see cref="ExportParts"/>, ADR 39).
    /// </summary>
    public Task<ExportResult> WriteFullCsvAsync(ExportParts parts, Stream body, CancellationToken ct) =>
        parts.WriteAsync(db, Parted, body, ct);

    // The rows' programme column is the key: a published programme's slug, else the project's code (Ordered's first
    // sort). Groupings and themes are not in the list.
    private static readonly PartedExport<OperationRow> Parted = PartedExport<OperationRow>.Csv(
        "operations", Columns, r => r.Programme, r => r.ProjectId, OperationsMerge.RowsAsync, OperationsMerge.Readers);

    /// <summary>
    /// The same rows from the one EF projection of <see cref="Rows"/> (a subquery per lead field and a partner
    /// collection per row): kept as the reference the merged path is tested against.
    /// </summary>
    public IAsyncEnumerable<OperationRow> OperationsByProjection(string? programme = null) =>
        Rows(Ordered(db, programme)).AsAsyncEnumerable();

    /// <summary>The published projects of the list (all, or one programme by code or slug) in list order.</summary>
    internal static IOrderedQueryable<Project> Ordered(PasserelleDbContext db, string? programme) =>
        KeepTables.Filter(db, db.Projects.AsNoTracking().Where(p => p.IsPublished), programme)
            .OrderBy(ListKey.Of).ThenBy(p => p.Acronym).ThenBy(p => p.Id);

    /// <summary>
    /// The list's values of these projects, in their order, in one query: the export and the editions (which copy the
    /// list as it is when published) read the same fields the same way. When a project names two lead partners, the
    /// one with the lowest organisation id is the beneficiary (as in the keep.eu project table); partners with the
    /// same name keep the order in which they were linked.
    /// </summary>
    public static IQueryable<OperationRow> Rows(IQueryable<Project> projects) =>
        projects.Select(p => new OperationRow(
            p.Id,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : p.ProgrammeCode,
            p.Acronym, p.Title, p.Summary, p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate,
            p.Programme != null && p.Programme.IsPublished ? p.Programme.Funds : null,
            p.SpecificObjective, p.InterventionField,
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).OrderBy(x => x.OrganisationId).Select(x => x.Organisation.Name).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).OrderBy(x => x.OrganisationId).Select(x => x.Organisation.City).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).OrderBy(x => x.OrganisationId).Select(x => x.Organisation.Country).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).OrderBy(x => x.OrganisationId).Select(x => x.Organisation.Latitude).FirstOrDefault(),
            p.Participations.Where(x => x.Role == ParticipationRole.LeadPartner && x.Organisation.IsPublished).OrderBy(x => x.OrganisationId).Select(x => x.Organisation.Longitude).FirstOrDefault(),
            p.Participations.Where(x => x.Organisation.IsPublished).OrderBy(x => x.Organisation.Name).ThenBy(x => x.Id)
                .Select(x => new OperationPartner(x.Organisation.Name, x.Organisation.Country, x.Role == ParticipationRole.LeadPartner))
                .ToList()));

    private static string? Join(IEnumerable<string> values)
    {
        var text = string.Join("; ", values);
        return text.Length == 0 ? null : text;
    }
}
