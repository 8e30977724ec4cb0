using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Exports;

/// <summary>
/// The Kohesio CSV's source rows as a merge join of three flat queries in one snapshot (ADR 32, as the list of
/// operations): the published projects in file order (programme slug or code, acronym, id), their beneficiaries (lead
/// partners and partners of published organisations) in that order then lead first, organisation name and id, and
/// their six fact-only fields (operation identifier, category, fund, postcode, NUTS, point) in that order then field,
/// rank and id. Each project takes the runs carrying its id at the head of the two other streams, so memory holds one
/// project, its beneficiaries and its six values whatever the row count. The one-query EF projection
/// (<c>KohesioCsv.Query</c>) evaluated six correlated subqueries on <c>Facts</c> per row (23.1 MB per CPU second at
/// 100k).
/// </summary>
internal static class KohesioMerge
{
    private sealed record ProgrammePart(string Period, string? Cci, string? NameEn, string? NameFr, string? NameNl, string? NameDe, List<string> Funds, List<string> Countries);

    private sealed record BeneficiaryPart(int ProjectId, string Name, string? Country, double? Latitude, double? Longitude);

    private sealed record FactPart(int ProjectId, string Field, string Value);

    /// <summary>The fact-only fields the file carries, by their <c>Facts.Field</c> name.</summary>
    private const string OperationId = "operation_id";
    private const string Category = "category_of_intervention";
    private const string Fund = "fund";
    private const string Postcode = "location_postcode";
    private const string Nuts = "location_nuts";
    private const string Point = "location_lon_lat";

    /// <summary>The queries' readers: projects, beneficiaries and facts beside them.</summary>
    public const int Readers = 3;

    public static async IAsyncEnumerable<KohesioSourceRow> RowsAsync(
        PasserelleDbContext db, KohesioFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var where = "";
        var parameters = new List<KeyValuePair<string, object>>();
        var periods = new List<string>();
        if (filter.Programme is { } programme)
        {
            where += " AND " + ListKey.PublishedProgramme + " AND (g.\"Slug\" = @programme OR g.\"Code\" = @programme)";
            periods.Add("(\"Slug\" = @programme OR \"Code\" = @programme)");
            parameters.Add(new("@programme", programme));
        }

        if (filter.Period is { } period)
        {
            where += " AND " + ListKey.PublishedProgramme + " AND g.\"Period\" = @period";
            periods.Add("\"Period\" = @period");
            parameters.Add(new("@period", period));
        }

        // The same programmes' ids as a subquery, so that each query finds their projects (and the facts query their
        // facts) through the indexes on the programme's id and the fact's subject (ADR 31): with the conditions on the
        // joined programme alone, each read every project, and the facts query every project's facts (1.1-1.4 s for one
        // programme's file at 100 k). The conditions above stay: they are the filter's definition.
        var projectsWhere = where;
        var factsWhere = where;
        if (periods.Count > 0)
        {
            var ids = "SELECT \"Id\" FROM \"Programmes\" WHERE \"IsPublished\" AND " + string.Join(" AND ", periods);
            projectsWhere += " AND p.\"ProgrammeId\" IN (" + ids + ")";
            factsWhere += " AND f.\"SubjectId\" IN (SELECT \"Id\" FROM \"Projects\" WHERE \"ProgrammeId\" IN (" + ids + "))";
        }

        await using var snapshot = await ExportSnapshot.BeginAsync(db, Readers, ct);
        await foreach (var row in RowsAsync(snapshot, projectsWhere, factsWhere, parameters, ct))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Every row of the whole file in its order (<paramref name="key"/> null), or the rows of the projects whose programme
    /// column (<see cref="ListKey"/>) is <paramref name="key"/> exactly, in <paramref name="snapshot"/>: the file's parts
    /// (ADR 39). The key is found as the list of operations finds it: a programme's code or a published period's slug by
    /// their indexes, then the key itself.
    /// </summary>
    public static IAsyncEnumerable<KohesioSourceRow> RowsAsync(ExportSnapshot snapshot, string? key, CancellationToken ct)
    {
        if (key is null)
        {
            return RowsAsync(snapshot, "", "", [], ct);
        }

        const string factsOfKey = ListKey.KeySql + " AND f.\"SubjectId\" IN (" + ListKey.ProjectIdsOfProgrammeSql + ")";
        return RowsAsync(snapshot, ListKey.KeySql, factsOfKey, [new("@programme", key)], ct);
    }

    private static async IAsyncEnumerable<KohesioSourceRow> RowsAsync(
        ExportSnapshot snapshot, string projectsWhere, string factsWhere, List<KeyValuePair<string, object>> parameters,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var postgres = snapshot.IsPostgres;
        await using var beneficiaries = snapshot.ReadAsync(1, string.Format(CultureInfo.InvariantCulture, BeneficiariesSql, projectsWhere), parameters, ReadBeneficiary, ct).GetAsyncEnumerator(ct);
        await using var facts = snapshot.ReadAsync(2, string.Format(CultureInfo.InvariantCulture, FactsSql, factsWhere), parameters, ReadFact, ct).GetAsyncEnumerator(ct);
        var beneficiary = await beneficiaries.MoveNextAsync() ? beneficiaries.Current : null;
        var fact = await facts.MoveNextAsync() ? facts.Current : null;
        var programmes = new Dictionary<int, ProgrammePart>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var projects = snapshot.ReadAsync(0, string.Format(CultureInfo.InvariantCulture, ProjectsSql, projectsWhere), parameters, r => r, ct).GetAsyncEnumerator(ct);
        while (await projects.MoveNextAsync())
        {
            var r = projects.Current;
            string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var id = r.GetInt32(0);
            var slug = r.GetString(1);
            var acronym = r.GetString(2);
            var (title, summary, start, end, total, eu, rate) = ProjectColumns.Read(r);
            var priority = Text(16);
            var objective = Text(17);
            ProgrammePart? g = null;
            if (!r.IsDBNull(18))
            {
                // A few hundred programmes: each one read and its lists parsed once, shared by its rows (read only).
                var programmeId = r.GetInt32(18);
                if (!programmes.TryGetValue(programmeId, out g))
                {
                    g = new ProgrammePart(r.GetString(19), Text(20), Text(21), Text(22), Text(23), Text(24), List(r, 25, postgres), List(r, 26, postgres));
                    programmes[programmeId] = g;
                }
            }

            var key = r.GetString(27);

            // The facts come field by field, lowest rank first: the first value of each field is the one shown.
            values.Clear();
            while (fact is not null && fact.ProjectId == id)
            {
                values.TryAdd(fact.Field, fact.Value);
                fact = await facts.MoveNextAsync() ? facts.Current : null;
            }

            KohesioSourceRow Row(BeneficiaryPart? b) => new(
                id, slug, acronym, title, summary, start, end, total, eu, rate, priority, objective,
                g?.Period, g?.Cci, g?.NameEn, g?.NameFr, g?.NameNl, g?.NameDe, g?.Funds, g?.Countries,
                values.GetValueOrDefault(OperationId), values.GetValueOrDefault(Category), values.GetValueOrDefault(Fund),
                values.GetValueOrDefault(Postcode), values.GetValueOrDefault(Nuts), values.GetValueOrDefault(Point),
                b?.Name, b?.Country, b?.Latitude, b?.Longitude, key);

            if (beneficiary is null || beneficiary.ProjectId != id)
            {
                yield return Row(null);
                continue;
            }

            while (beneficiary is not null && beneficiary.ProjectId == id)
            {
                yield return Row(beneficiary);
                beneficiary = await beneficiaries.MoveNextAsync() ? beneficiaries.Current : null;
            }
        }

        if (beneficiary is not null || fact is not null)
        {
            // All streams read one snapshot in one order, so this is a defect, not a race: say so rather than end the
            // file with rows silently dropped.
            throw new InvalidOperationException($"A stream of the Kohesio export is out of step at project {beneficiary?.ProjectId ?? fact!.ProjectId}.");
        }
    }

    private static List<string> List(DbDataReader r, int i, bool postgres) =>
        postgres ? [.. r.GetFieldValue<string[]>(i)] : JsonSerializer.Deserialize<List<string>>(r.GetString(i)) ?? [];

    private static BeneficiaryPart ReadBeneficiary(DbDataReader r) => new(
        r.GetInt32(0), r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2),
        r.IsDBNull(3) ? null : r.GetDouble(3),
        r.IsDBNull(4) ? null : r.GetDouble(4));

    private static FactPart ReadFact(DbDataReader r) => new(r.GetInt32(0), r.GetString(1), r.GetString(2));

    // The SQL is the same on SQLite and PostgreSQL (quoted identifiers, boolean columns as conditions); its filters and
    // ORDER BY are those of KohesioCsv's projection, which the tests compare byte for byte with this path on both
    // databases, so a renamed column or a changed order fails there, not in production.
    private const string ProjectOrder = ListKey.Sql + ", p.\"Acronym\", p.\"Id\"";

    private const string ProjectsSql =
        "SELECT p.\"Id\", p.\"Slug\", p.\"Acronym\", " +
        ProjectColumns.Sql + ", p.\"Priority\", p.\"SpecificObjective\", " +
        "CASE WHEN " + ListKey.PublishedProgramme + " THEN g.\"Id\" END, g.\"Period\", g.\"Cci\", g.\"Name_En\", g.\"Name_Fr\", g.\"Name_Nl\", g.\"Name_De\", " +
        "g.\"Funds\", g.\"Countries\", " + ListKey.Sql + " " +
        "FROM \"Projects\" p LEFT JOIN \"Programmes\" g ON g.\"Id\" = p.\"ProgrammeId\" WHERE p.\"IsPublished\"{0} " +
        "ORDER BY " + ProjectOrder;

    private const string BeneficiariesSql =
        "SELECT x.\"ProjectId\", o.\"Name\", o.\"Country\", o.\"Latitude\", o.\"Longitude\" " +
        "FROM \"Participations\" x JOIN \"Organisations\" o ON o.\"Id\" = x.\"OrganisationId\" " +
        "JOIN \"Projects\" p ON p.\"Id\" = x.\"ProjectId\" LEFT JOIN \"Programmes\" g ON g.\"Id\" = p.\"ProgrammeId\" " +
        "WHERE x.\"Role\" <> 'AssociatedPartner' AND o.\"IsPublished\" AND p.\"IsPublished\"{0} " +
        "ORDER BY " + ProjectOrder + ", CASE WHEN x.\"Role\" = 'LeadPartner' THEN 0 ELSE 1 END, o.\"Name\", x.\"OrganisationId\"";

    private const string FactsSql =
        "SELECT f.\"SubjectId\", f.\"Field\", f.\"Value\" " +
        "FROM \"Facts\" f JOIN \"Projects\" p ON p.\"Id\" = f.\"SubjectId\" LEFT JOIN \"Programmes\" g ON g.\"Id\" = p.\"ProgrammeId\" " +
        "WHERE f.\"SubjectType\" = 3 AND NOT f.\"Retracted\" AND f.\"Field\" IN ('" + OperationId + "', '" + Category + "', '" + Fund + "', '" +
        Postcode + "', '" + Nuts + "', '" + Point + "') AND p.\"IsPublished\"{0} " +
        "ORDER BY " + ProjectOrder + ", f.\"Field\", f.\"Rank\", f.\"Id\"";
}
