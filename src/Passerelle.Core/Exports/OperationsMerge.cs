using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Exports;

/// <summary>
/// The full list of operations as a merge join of two flat queries (ADR 32): the projects in list order, and the
/// participations of published organisations sorted the same way (then by organisation name). Each project's partners
/// are the run of partner rows with its id at the head of the second stream, so memory holds one project and its
/// partners, whatever the number of rows. The one-query EF projection (<see cref="OperationsList.Rows"/>) evaluates
/// five lead-partner subqueries and a partner collection per row, which made the export query-bound (7.9 MB/s at 100k).
/// </summary>
/// <remarks>Both queries read one snapshot (<see cref="ExportSnapshot"/>).</remarks>
internal static class OperationsMerge
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

        await using var snapshot = await ExportSnapshot.BeginAsync(db, Readers, ct);
        await foreach (var row in RowsAsync(snapshot, programme is null ? "" : ListKey.ProgrammeSql, programme, ct))
        {
            yield return row;
        }
    }

    /// <summary>The queries' readers: projects, and partners beside them.</summary>
    public const int Readers = 2;

    /// <summary>
    /// Every published operation in list order (<paramref name="key"/> null), or those whose programme column is
    /// <paramref name="key"/> exactly, in <paramref name="snapshot"/>: the parts of the published list (ADR 39).
    /// </summary>
    public static IAsyncEnumerable<OperationRow> RowsAsync(ExportSnapshot snapshot, string? key, CancellationToken ct) =>
        RowsAsync(snapshot, key is null ? "" : ListKey.KeySql, key, ct);

    private static async IAsyncEnumerable<OperationRow> RowsAsync(
        ExportSnapshot snapshot, string sql, string? programme, [EnumeratorCancellation] CancellationToken ct)
    {
        var postgres = snapshot.IsPostgres;
        KeyValuePair<string, object>[] parameters = programme is null ? [] : [new("@programme", programme)];
        await using var partners = snapshot.ReadAsync(1, string.Format(CultureInfo.InvariantCulture, PartnersSql, sql), parameters, ReadPartner, ct).GetAsyncEnumerator(ct);
        var pending = await partners.MoveNextAsync() ? partners.Current : null;
        var funds = new Dictionary<string, List<string>?>(StringComparer.Ordinal);
        await foreach (var p in snapshot.ReadAsync(0, string.Format(CultureInfo.InvariantCulture, ProjectsSql, sql), parameters, r => ReadProject(r, funds, postgres), ct))
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

    // Plain SQL read by column position rather than EF queries: EF's materialiser cost more CPU than SQLite's own work
    // for these two flat reads (ADR 32). The SQL is the same on SQLite and PostgreSQL (quoted identifiers, a boolean
    // column as a condition); the filter and the ORDER BY are those of OperationsList.Ordered, which the tests compare
    // byte for byte with the projection on both databases, so a renamed column fails there, not in production.
    private const string ProjectsSql =
        "SELECT p.\"Id\", " + ListKey.Sql + ", p.\"Acronym\", " +
        ProjectColumns.Sql + ", " +
        "CASE WHEN " + ListKey.PublishedProgramme + " THEN g.\"Slug\" END, g.\"Funds\", p.\"SpecificObjective\", p.\"InterventionField\" " +
        "FROM \"Projects\" p LEFT JOIN \"Programmes\" g ON g.\"Id\" = p.\"ProgrammeId\" WHERE p.\"IsPublished\"{0} " +
        "ORDER BY " + ListKey.Sql + ", p.\"Acronym\", p.\"Id\"";

    private const string PartnersSql =
        "SELECT x.\"ProjectId\", x.\"OrganisationId\", o.\"Name\", o.\"City\", o.\"Country\", o.\"Latitude\", o.\"Longitude\", " +
        "CASE WHEN x.\"Role\" = 'LeadPartner' THEN 1 ELSE 0 END " +
        "FROM \"Participations\" x JOIN \"Organisations\" o ON o.\"Id\" = x.\"OrganisationId\" " +
        "JOIN \"Projects\" p ON p.\"Id\" = x.\"ProjectId\" LEFT JOIN \"Programmes\" g ON g.\"Id\" = p.\"ProgrammeId\" " +
        "WHERE o.\"IsPublished\" AND p.\"IsPublished\"{0} " +
        "ORDER BY " + ListKey.Sql + ", p.\"Acronym\", x.\"ProjectId\", o.\"Name\", x.\"Id\"";

    private static ProjectPart ReadProject(DbDataReader r, Dictionary<string, List<string>?> funds, bool postgres)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var id = r.GetInt32(0);
        var programme = r.GetString(1);
        var acronym = r.GetString(2);
        var v = ProjectColumns.Read(r);
        var slug = Text(16);
        List<string>? programmeFunds = null;
        if (slug is not null)
        {
            // A few hundred programmes: each one's funds parsed once, the list shared by its rows (read only).
            if (!funds.TryGetValue(slug, out programmeFunds))
            {
                programmeFunds = postgres ? [.. r.GetFieldValue<string[]>(17)] : JsonSerializer.Deserialize<List<string>>(r.GetString(17));
                funds[slug] = programmeFunds;
            }
        }

        return new ProjectPart(id, programme, acronym, v.Title, v.Summary, v.StartDate, v.EndDate, v.TotalBudget, v.EuContribution, v.StatedEuRate, programmeFunds, Text(18), Text(19));
    }

    private static PartnerPart ReadPartner(DbDataReader r) => new(
        r.GetInt32(0), r.GetInt32(1), r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : r.GetDouble(5),
        r.IsDBNull(6) ? null : r.GetDouble(6),
        r.GetInt32(7) == 1);
}
