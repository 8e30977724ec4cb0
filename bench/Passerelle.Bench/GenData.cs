using System.Globalization;
using System.Text;
using System.Text.Json;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// Reads the SYNTHETIC data set of ../shared/bench/gen.py (projects.csv, participations.csv, organisations.csv,
/// programmes.csv, themes.csv) as a stream, and maps it to search documents the way the PostgreSQL peer (bench.py,
/// schema.sql) sees it, so that the hit totals of both can be compared query by query:
/// <list type="bullet">
/// <item>searched text: the acronym and the title and summary in each language, as schema.sql's tsvector; the
/// project's label ("Synthetic project 0000001") is not searched there, so it is only the fallback name shown;</item>
/// <item>facets as bench.py's filters_sql: programme = programme_id, period = the period text, theme = theme id,
/// country = the project's countries column (all as strings);</item>
/// <item>with <c>partners: true</c>, partner names and cities are searched too, as the product does (then totals are
/// no longer PostgreSQL's: its tsvector has no partners).</item>
/// </list>
/// gen.py writes RFC 4180 with no line break inside a field, so a record is one line.
/// </summary>
public static class GenData
{
    public sealed record Programme(int Id, string Code, string Name, string Kind, string Period);

    public sealed record Theme(int Id, string Code, LocalizedText Name);

    public sealed record Project(
        int Id, string Label, string? Acronym, LocalizedText Title, LocalizedText Summary, int ProgrammeId, string Period,
        IReadOnlyList<string> Themes, IReadOnlyList<string> Countries, string? LeadNuts3, string? StartDate, string? EndDate,
        decimal? TotalBudget, decimal? EuContribution, string Status);

    public sealed record Participation(int ProjectId, int OrganisationId, string Role);

    /// <summary>Organisations by id (ids are 1..n in gen.py): name, country, city, NUTS 3.</summary>
    public sealed class Organisations
    {
        private readonly List<(string Name, string Country, string? City, string? Nuts3)> _rows = [(string.Empty, string.Empty, null, null)];

        public int Count => _rows.Count - 1;

        public (string Name, string Country, string? City, string? Nuts3) this[int id] => _rows[id];

        public static Organisations Read(string dir)
        {
            var result = new Organisations();
            foreach (var f in ReadCsv(Path.Combine(dir, "organisations.csv"), "id,synthetic,name,country,city,nuts3,legal_status"))
            {
                var id = Int(f[0]);
                if (id != result._rows.Count)
                {
                    throw new InvalidDataException($"organisations.csv: ids are expected 1..n in order, found {id} at row {result._rows.Count + 1}");
                }

                result._rows.Add((f[2], f[3], Null(f[4]), Null(f[5])));
            }

            return result;
        }
    }

    public static IReadOnlyList<Programme> Programmes(string dir) =>
        ReadCsv(Path.Combine(dir, "programmes.csv"), "id,synthetic,code,name,kind,period,countries,cofinancing_rate")
            .Select(f => new Programme(Int(f[0]), f[2], f[3], f[4], f[5])).ToList();

    public static IReadOnlyList<Theme> Themes(string dir) =>
        ReadCsv(Path.Combine(dir, "themes.csv"), "id,synthetic,code,name_en,name_fr,name_nl,name_de")
            .Select(f => new Theme(Int(f[0]), f[2], new LocalizedText { En = f[3], Fr = f[4], Nl = f[5], De = f[6] })).ToList();

    public static IEnumerable<Project> Projects(string dir)
    {
        const string header = "id,synthetic,label,acronym,title_en,title_fr,title_nl,title_de,summary_en,summary_fr,summary_nl,summary_de,"
            + "programme_id,period,themes,countries,lead_nuts3,start_date,end_date,total_budget,eu_contribution,status";
        foreach (var f in ReadCsv(Path.Combine(dir, "projects.csv"), header))
        {
            yield return new Project(
                Int(f[0]), f[2], Null(f[3]),
                Text(f[4], f[5], f[6], f[7]), Text(f[8], f[9], f[10], f[11]),
                Int(f[12]), f[13], PgArray(f[14]), PgArray(f[15]), Null(f[16]), Null(f[17]), Null(f[18]),
                Dec(f[19]), Dec(f[20]), f[21]);
        }
    }

    /// <summary>Participations in file order (gen.py writes them by project id, ascending).</summary>
    public static IEnumerable<Participation> Participations(string dir) =>
        ReadCsv(Path.Combine(dir, "participations.csv"), "project_id,organisation_id,role,synthetic")
            .Select(f => new Participation(Int(f[0]), Int(f[1]), f[2]));

    /// <summary>
    /// Every project as a search document, streamed: projects and participations are merged on the project id (both
    /// files are in id order), organisations are held in memory (0.4 N rows).
    /// </summary>
    public static IEnumerable<SearchDocument> SearchDocuments(string dir, bool partners = false)
    {
        var organisations = Organisations.Read(dir);
        var programmes = Programmes(dir).ToDictionary(p => p.Id);
        using var participations = Participations(dir).GetEnumerator();
        var pending = participations.MoveNext() ? participations.Current : null;
        var mine = new List<Participation>();
        foreach (var p in Projects(dir))
        {
            mine.Clear();
            while (pending is not null && pending.ProjectId <= p.Id)
            {
                if (pending.ProjectId < p.Id)
                {
                    throw new InvalidDataException($"participations.csv: project {pending.ProjectId} is out of order or unknown");
                }

                mine.Add(pending);
                pending = participations.MoveNext() ? participations.Current : null;
            }

            yield return ToDocument(p, mine, organisations, programmes.GetValueOrDefault(p.ProgrammeId), partners);
        }
    }

    public static SearchDocument ToDocument(
        Project p, IReadOnlyList<Participation> participations, Organisations organisations, Programme? programme, bool partners)
    {
        var orgs = participations.Select(x => organisations[x.OrganisationId]).ToList();
        return new SearchDocument
        {
            Type = SearchDocType.Project,
            Id = p.Id,
            Slug = "synthetic-" + p.Id.ToString(CultureInfo.InvariantCulture),
            // The acronym is searched (schema.sql: pf_simple, weight A); a project without one shows its synthetic
            // label, which must not be searched (its words "synthetic project" are not in PostgreSQL's tsvector).
            Name = p.Acronym ?? string.Empty,
            Title = p.Title,
            Summary = p.Summary,
            Names = partners ? orgs.Select(o => o.Name).Concat(orgs.Select(o => o.City).OfType<string>()).Distinct(StringComparer.Ordinal).ToList() : [],
            Subtitle = programme is null ? p.Label : $"{p.Label} · {programme.Code} · {p.Period}",
            Programme = p.ProgrammeId.ToString(CultureInfo.InvariantCulture),
            Period = p.Period,
            Kind = programme?.Kind,
            Status = p.Status,
            Themes = p.Themes,
            Countries = p.Countries,
            Roles = participations.Select(x => RoleValue(x.Role)).Distinct(StringComparer.Ordinal).ToList(),
            Regions = orgs.Select(o => o.Nuts3 is { Length: >= 4 } n ? n[..4] : null).OfType<string>().Distinct(StringComparer.Ordinal).ToList(),
            StartDate = p.StartDate,
            Budget = p.TotalBudget,
        };
    }

    /// <summary>Facet labels: programme names and theme names in four languages.</summary>
    public static IEnumerable<(SearchFacet Facet, string Value, LocalizedText Label)> Labels(string dir) =>
        Programmes(dir).Select(p => (SearchFacet.Programme, p.Id.ToString(CultureInfo.InvariantCulture), new LocalizedText { En = p.Name }))
            .Concat(Themes(dir).Select(t => (SearchFacet.Theme, t.Id.ToString(CultureInfo.InvariantCulture), t.Name)));

    private static string RoleValue(string role) => role switch
    {
        "lead partner" => "lead-partner",
        "associated" => "associated-partner",
        _ => "partner",
    };

    private static LocalizedText Text(string en, string fr, string nl, string de) =>
        new() { En = Null(en), Fr = Null(fr), Nl = Null(nl), De = Null(de) };

    private static string? Null(string s) => s.Length == 0 ? null : s;

    private static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static decimal? Dec(string s) => s.Length == 0 ? null : decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>A PostgreSQL array literal of simple values, e.g. {3,17} or {FR,BE}.</summary>
    private static string[] PgArray(string s) =>
        s.Length < 2 || s == "{}" ? [] : s[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The records of a gen.py CSV after its header (checked against <paramref name="header"/>).</summary>
    public static IEnumerable<string[]> ReadCsv(string path, string header)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 1 << 16);
        var first = reader.ReadLine();
        if (first != header)
        {
            throw new InvalidDataException($"{path}: header is '{first}', expected '{header}'");
        }

        var columns = header.Count(c => c == ',') + 1;
        var fields = new List<string>(columns);
        var field = new StringBuilder();
        var row = 1;
        while (reader.ReadLine() is { } line)
        {
            row++;
            if (line.Length == 0)
            {
                continue;
            }

            fields.Clear();
            var i = 0;
            while (true)
            {
                field.Clear();
                if (i < line.Length && line[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        var q = line.IndexOf('"', i);
                        if (q < 0)
                        {
                            throw new InvalidDataException($"{path}: row {row}: unclosed quote");
                        }

                        field.Append(line, i, q - i);
                        i = q + 1;
                        if (i < line.Length && line[i] == '"')
                        {
                            field.Append('"');
                            i++;
                            continue;
                        }

                        break;
                    }

                    fields.Add(field.ToString());
                }
                else
                {
                    var comma = line.IndexOf(',', i);
                    var end = comma < 0 ? line.Length : comma;
                    fields.Add(line[i..end]);
                    i = end;
                }

                if (i >= line.Length)
                {
                    break;
                }

                if (line[i] != ',')
                {
                    throw new InvalidDataException($"{path}: row {row}: text after a closing quote");
                }

                i++;
                if (i == line.Length)
                {
                    fields.Add(string.Empty);
                    break;
                }
            }

            if (fields.Count != columns)
            {
                throw new InvalidDataException($"{path}: row {row}: {fields.Count} fields, expected {columns}");
            }

            yield return [.. fields];
        }
    }
}

/// <summary>
/// One search of ../shared/bench/queries.json (bench.py make-queries): the words typed (the last one a prefix being
/// typed when <see cref="Kind"/> is "prefix") and the facet values ticked.
/// </summary>
public sealed record GenQuery(string Id, string Class, string Kind, string Lang, IReadOnlyList<string> Terms, IReadOnlyDictionary<string, string> Filters)
{
    public static readonly string[] Classes = ["common", "rare", "and2", "prefix", "frnl"];

    /// <summary>
    /// The text as typed: words joined by spaces; a word being typed (kind "prefix") ends the text, a finished word is
    /// followed by a space (the engine reads the last word as a prefix only when nothing follows it).
    /// </summary>
    public string Text => string.Join(' ', Terms) + (Kind == "prefix" ? "" : " ");

    /// <summary>The filters as the engine's facets, as bench.py's filters_sql reads them (programme and theme ids, period, country).</summary>
    public IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>> SearchFilters =>
        Filters.ToDictionary(
            f => f.Key switch
            {
                "programme" => SearchFacet.Programme,
                "period" => SearchFacet.Period,
                "theme" => SearchFacet.Theme,
                "country" => SearchFacet.Country,
                _ => throw new InvalidDataException($"unknown filter '{f.Key}'"),
            },
            f => (IReadOnlyList<string>)[f.Value]);

    public SearchQuery ToSearchQuery(int pageSize = 20) => new(Text, SearchFilters, PageSize: pageSize);

    public string FiltersText => string.Join(' ', Filters.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    public static IReadOnlyList<GenQuery> Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        return json.RootElement.GetProperty("queries").EnumerateArray().Select(q => new GenQuery(
            q.GetProperty("id").GetString()!,
            q.GetProperty("class").GetString()!,
            q.GetProperty("kind").GetString()!,
            q.GetProperty("lang").GetString()!,
            q.GetProperty("terms").EnumerateArray().Select(t => t.GetString()!).ToList(),
            q.GetProperty("filters").EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : p.Value.GetString()!,
                StringComparer.Ordinal))).ToList();
    }

    /// <summary>
    /// The queries file to run: <paramref name="given"/> (--queries), else <see cref="FindDefault"/>; null, with the
    /// command's one error line printed, when there is none.
    /// </summary>
    public static string? Locate(string? given)
    {
        var path = given ?? FindDefault();
        if (path is null || !File.Exists(path))
        {
            Console.Error.WriteLine("error: queries.json not found; give --queries <path>");
            return null;
        }

        return path;
    }

    /// <summary>queries.json of the shared benchmark folder (<see cref="ScaleOptions.NamedSharedBench"/>), or null.</summary>
    public static string? FindDefault() =>
        ScaleOptions.NamedSharedBench() is { } folder && Path.Combine(folder, "queries.json") is var file && File.Exists(file) ? file : null;
}
