using System.Globalization;
using System.Text;

using Passerelle.Core.Imports;

using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Bench;

/// <summary>
/// Converts the SYNTHETIC data of ../shared/bench/gen.py (projects.csv, participations.csv, organisations.csv,
/// programmes.csv) to the Kohesio list-of-operations CSV that <c>import kohesio</c> reads (ADR 28): one row per
/// project and participant, so the benchmarks load gen.py's data through the product's real import path.
/// Usage: Passerelle.Bench gen-to-kohesio &lt;gen dir&gt; &lt;out.csv&gt;
/// <para>
/// What the Kohesio format cannot carry as gen.py writes it, and how it is written instead (all of it synthetic):
/// - Programming_Period: Kohesio knows 2014-2020 and 2021-2027 only; a programme of 2000-2006 or 2007-2013 is written
///   as 2014-2020 (the projects keep their own dates).
/// - Programme_Code: a synthetic CCI per gen.py programme, <c>{2014|2021}TC99SY{CB|TN|IR}{id:000}</c> ("TC99SY" is in
///   no real CCI), of the cooperation kind the importer needs to create the programme: interreg-b TN, interreg-c IR,
///   interreg-a and mainstream CB (the registry holds cooperation programmes only). These CCIs are not in the
///   validator's closed list: import with <c>--unlisted-cci</c>.
/// - Category_Of_Intervention (required, 1-123): gen.py has none; the project's first theme id (1-30) is written.
/// - CoFinancing_Rate: eu_contribution / total_budget in percent; Location_Indicator_NUTS_code: the project's lead_nuts3.
/// - The "programme language" texts: the language of the beneficiaries' countries when all of them have fr, nl or de
///   alone (the importer takes the language from the row's Country), else English (the same text in both columns),
///   with a row of a country without one of these languages first, since the first row of an operation gives its language.
/// </para>
/// Memory: organisations and programmes are held (0.4 N + 300 rows); projects and participations are streamed, merged
/// on the project id (gen.py writes both in project order).
/// </summary>
public static class GenToKohesio
{
    private static readonly string[] Columns =
    [
        K.OperationId, K.NameProgrammeLanguage, K.NameEnglish, K.Country, K.StartDate, K.EndDate, K.CoFinancingRate, K.Amount,
        K.Currency, K.Nuts, K.BeneficiaryName, K.Category, K.FundCode, K.ProgrammeCode, K.SummaryEnglish,
        K.SummaryProgrammeLanguage, K.Period, K.ProgrammeName,
    ];

    private sealed record Organisation(string Name, string Country);

    private sealed record GenProgramme(string Cci, string Name, string Period);

    public static int Run(string[] args)
    {
        if (args.Length != 2 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("error: usage: gen-to-kohesio <gen.py output folder> <out.csv>");
            return 2;
        }

        var folder = args[0];
        var programmes = new Dictionary<string, GenProgramme>(StringComparer.Ordinal);
        foreach (var r in Read(Path.Combine(folder, "programmes.csv")))
        {
            var period = r["period"] == "2021-2027" ? "2021-2027" : "2014-2020";
            var kind = r["kind"] switch { "interreg-b" => "TN", "interreg-c" => "IR", _ => "CB" };
            var id = int.Parse(r["id"], CultureInfo.InvariantCulture);
            programmes[r["id"]] = new GenProgramme($"{period[..4]}TC99SY{kind}{id:000}", r["name"], period);
        }

        var organisations = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        foreach (var r in Read(Path.Combine(folder, "organisations.csv")))
        {
            organisations[r["id"]] = new Organisation(r["name"], r["country"]);
        }

        using var participations = Read(Path.Combine(folder, "participations.csv")).GetEnumerator();
        var pending = participations.MoveNext() ? participations.Current : null;
        using var output = new StreamWriter(args[1], false, new UTF8Encoding(false), 1 << 16);
        output.Write(string.Join(",", Columns) + "\r\n");
        var (projectCount, rowCount) = (0, 0L);
        var cells = new string[Columns.Length];
        foreach (var p in Read(Path.Combine(folder, "projects.csv")))
        {
            var participants = new List<(string Role, Organisation Organisation)>();
            while (pending is not null && pending["project_id"] == p["id"])
            {
                participants.Add((pending["role"], organisations[pending["organisation_id"]]));
                pending = participations.MoveNext() ? participations.Current : null;
            }

            if (participants.Count == 0)
            {
                // Kohesio rows are one per beneficiary: a project without one has no row (gen.py writes none such).
                Console.Error.WriteLine($"note: project {p["id"]} has no participation: not written");
                continue;
            }

            // The lead first, as gen.py writes it.
            participants = [.. participants.OrderBy(x => x.Role == "lead partner" ? 0 : 1)];
            var languages = participants.Select(x => KohesioImporter.LanguageOf(x.Organisation.Country)).ToList();
            var language = languages.All(l => l is "fr" or "nl" or "de") ? languages[0]! : "en";
            if (language == "en")
            {
                // The first row gives the operation's language: one whose country gives English or none.
                var first = languages.FindIndex(l => l is null or "en");
                if (first > 0)
                {
                    participants.Insert(0, participants[first]);
                    participants.RemoveAt(first + 1);
                }
            }

            var programme = programmes[p["programme_id"]];
            var total = decimal.Parse(p["total_budget"], CultureInfo.InvariantCulture);
            var eu = decimal.Parse(p["eu_contribution"], CultureInfo.InvariantCulture);
            var rate = total == 0 ? 0 : Math.Round(eu / total * 100, 2);
            var theme = p["themes"].Trim('{', '}').Split(',')[0];
            foreach (var (_, organisation) in participants)
            {
                var i = 0;
                cells[i++] = "synthetic-" + p["id"];
                cells[i++] = p["title_" + language];
                cells[i++] = p["title_en"];
                cells[i++] = organisation.Country;
                cells[i++] = Date(p["start_date"]);
                cells[i++] = Date(p["end_date"]);
                cells[i++] = rate.ToString(CultureInfo.InvariantCulture);
                cells[i++] = p["total_budget"];
                cells[i++] = "EUR";
                cells[i++] = p["lead_nuts3"];
                cells[i++] = organisation.Name;
                cells[i++] = theme;
                cells[i++] = "ERDF";
                cells[i++] = programme.Cci;
                cells[i++] = p["summary_en"];
                cells[i++] = p["summary_" + language];
                cells[i++] = programme.Period;
                cells[i++] = programme.Name;
                WriteRow(output, cells);
                rowCount++;
            }

            projectCount++;
        }

        Console.WriteLine($"{args[1]}: {projectCount:N0} operations, {rowCount:N0} rows (one per beneficiary), {programmes.Count} programmes; SYNTHETIC data; import with: import kohesio {args[1]} --unlisted-cci");
        return 0;
    }

    /// <summary>gen.py's ISO date as Kohesio's DD/MM/YYYY.</summary>
    private static string Date(string iso) => $"{iso[8..10]}/{iso[5..7]}/{iso[..4]}";

    private static void WriteRow(StreamWriter output, string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                output.Write(',');
            }

            var cell = cells[i];
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                output.Write('"');
                output.Write(cell.Replace("\"", "\"\"", StringComparison.Ordinal));
                output.Write('"');
            }
            else
            {
                output.Write(cell);
            }
        }

        output.Write("\r\n");
    }

    /// <summary>gen.py's CSV, row by row, as column → value (parsed by <see cref="GenData.ReadCsv"/>).</summary>
    private static IEnumerable<Dictionary<string, string>> Read(string path)
    {
        string header;
        using (var first = new StreamReader(path, Encoding.UTF8))
        {
            header = first.ReadLine() ?? throw new InvalidDataException($"{path} is empty");
        }

        var columns = header.Split(',');
        foreach (var fields in GenData.ReadCsv(path, header))
        {
            var row = new Dictionary<string, string>(columns.Length, StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
            {
                row[columns[i]] = fields[i];
            }

            yield return row;
        }
    }
}
