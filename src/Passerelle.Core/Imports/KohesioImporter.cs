using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.History;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Core.Imports;

/// <summary>How a Kohesio file is imported.</summary>
/// <param name="Programme">The registry programme (slug) every row belongs to; else each row's Programme_Code (CCI) finds it.</param>
/// <param name="Language">The language of the "programme language" columns (en, fr, nl, de); else the Country's, where it has one of these.</param>
/// <param name="UnlistedCci">
/// Accept a cooperation programme's CCI (TC…CB, TN, IR) that the validator's closed Programme_Code list lacks (it lists
/// 2014-2020 programmes only): off by default, so a file is held to the validator's rules (ADR 28); on for the
/// 2021-2027 programmes and for the synthetic CCIs of the benchmarks' gen.py data (bench gen-to-kohesio).
/// </param>
/// <param name="TrackedCreate">
/// Create the new records through EF's change tracker instead of the write session's bulk inserts: the path before
/// ADR 30's second round, kept to compare the two (tests, <c>bench import --tracked</c>).
/// </param>
public sealed record KohesioImportOptions(string? Programme = null, string? Language = null, string? SourceTitle = null, string? SourceUrl = null, bool UnlistedCci = false, bool TrackedCreate = false);

/// <summary>
/// Imports a Kohesio list of operations (ADR 28) as programmes send it: header case and column order do not matter.
/// The whole file is checked first against the rules the export follows (<see cref="KohesioSchema"/>) and the
/// registry's, every error with its row and column; any error and nothing is written. Otherwise, in one write session,
/// it creates or updates the programmes, the operations (projects, found again by programme and operation identifier)
/// and their beneficiaries (organisations, matched by name as the partner import does, and participations), every
/// value a fact whose source is the file. The same file again writes nothing.
/// </summary>
public sealed partial class KohesioImporter(PasserelleDbContext db, RegistryWriter writer, TimeProvider clock)
{
    /// <summary>The languages the registry keeps texts in.</summary>
    public static readonly IReadOnlyList<string> Languages = LocalizedText.Languages;

    private sealed record ProgrammeTarget(string Key, Programme? Existing, string Cci, string? Name, string Period, ProgrammeKind Kind);

    /// <summary>One operation with all its rows' beneficiaries: built in the second pass, a chunk at a time.</summary>
    private sealed class Operation
    {
        public required string Key { get; init; }
        public required int Row { get; init; }
        public required ProgrammeTarget Programme { get; init; }
        public required string Id { get; init; }
        public required Dictionary<string, string?> Values { get; init; }
        public required string? Language { get; init; }
        public List<(int Row, string Name, string MatchKey, string? Country, (double Longitude, double Latitude)? Point)> Beneficiaries { get; } = [];
    }

    /// <summary>
    /// What the first pass keeps of an operation for the checks across its rows (ADR 30, streamed import): its first and
    /// last rows, its programme and language; its operation values as one 64-bit hash of them all and an 8-bit tag of
    /// each (<see cref="OperationValues"/>), its beneficiaries as hashes of their match keys
    /// (<see cref="_operationBeneficiaries"/>), not as the rows' strings.
    /// </summary>
    private struct OperationSummary
    {
        public int Row;
        public int LastRow;
        public ProgrammeTarget Programme;
        public string? Language;
        public OperationValues Values;
    }

    /// <summary>
    /// An operation's <see cref="OperationColumns"/> as the first pass keeps them: the hash of all of them decides
    /// whether a later row agrees (as reliable as one 64-bit hash per column, which this replaced), and a tag per column
    /// names the column that differs in the error. A tag is 8 bits, so one differing column in 256 has the same tag:
    /// the error then names the operation values as a whole. One hash per column was 128 bytes per operation, the
    /// largest thing the first pass kept (256 MB at 2 M operations, and as much again while its list grew; issue 17).
    /// </summary>
    internal struct OperationValues
    {
        public ulong All;
        public ulong Tags0;
        public ulong Tags1;

        public static OperationValues Of(Dictionary<string, string?> canonical)
        {
            var values = new OperationValues { All = 14695981039346656037UL };
            for (var c = 0; c < OperationColumns.Length; c++)
            {
                var hash = Hash(canonical[OperationColumns[c]]);
                values.All = (values.All ^ hash) * 1099511628211UL;
                var tag = (ulong)Tag(hash) << (8 * (c % 8));
                if (c < 8)
                {
                    values.Tags0 |= tag;
                }
                else
                {
                    values.Tags1 |= tag;
                }
            }

            return values;
        }

        /// <summary>The first column whose tag differs from <paramref name="other"/>'s, or null when every tag is the same.</summary>
        public readonly string? FirstDifferentColumn(OperationValues other)
        {
            for (var c = 0; c < OperationColumns.Length; c++)
            {
                var (mine, theirs) = c < 8 ? (Tags0, other.Tags0) : (Tags1, other.Tags1);
                var shift = 8 * (c % 8);
                if (((mine >> shift) & 0xFF) != ((theirs >> shift) & 0xFF))
                {
                    return OperationColumns[c];
                }
            }

            return null;
        }

        private static byte Tag(ulong hash)
        {
            hash ^= hash >> 32;
            hash ^= hash >> 16;
            return (byte)(hash ^ (hash >> 8));
        }
    }

    /// <summary>The columns that describe the operation itself: rows of one operation (one per beneficiary) must agree on them.</summary>
    internal static readonly string[] OperationColumns =
    [
        K.NameProgrammeLanguage, K.NameEnglish, K.SummaryProgrammeLanguage, K.SummaryEnglish, K.StartDate, K.EndDate, K.CoFinancingRate,
        K.Amount, K.Currency, K.Category, K.FundCode, K.Postcode, K.Nuts, K.PriorityAxisCode, K.SpecificObjectiveName, K.Period,
    ];

    /// <summary>Columns the registry has no field for: checked, counted in a note, not stored.</summary>
    private static readonly Dictionary<string, string> NotStored = new(StringComparer.Ordinal)
    {
        [K.CountryId] = "the registry has no field for it",
        [K.ExpectedEndDate] = "the registry keeps one end date, Operation_End_Date",
        [K.ExchangeRate] = "amounts are imported in EUR only",
        [K.PriorityAxisName] = "the priority is kept by its code (Program_Priority_Axis_Code)",
        [K.SpecificObjectiveCode] = "the specific objective is kept by its name (Program_Specific_Objective_Name)",
        [K.ThematicObjectiveCode] = "the registry has no field for it",
        [K.ThematicObjectiveName] = "the registry has no field for it",
        [K.FundName] = "the fund is kept by its code (Fund_Code)",
        [K.LastUpdate] = "the registry's history dates every change itself",
        [K.BeneficiaryId] = "beneficiaries are matched by name",
        [K.SocialMedia] = "the registry has no field for it",
    };

    private ImportErrors _errors = new();
    private readonly List<string> _notes = [];
    // First pass: the operations in the order of their first row (programme key + identifier → index), their summaries,
    // and (operation, beneficiary key hash) → the row that gave it.
    private readonly Dictionary<string, int> _operationIndex = new(StringComparer.Ordinal);
    private readonly List<OperationSummary> _summaries = [];
    private readonly Dictionary<(int Operation, ulong Beneficiary), int> _operationBeneficiaries = [];
    private readonly HashSet<int> _existingProgrammeIds = [];
    private readonly Dictionary<string, string?> _newProgrammeLanguages = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _headers;
    // Second pass: the operations whose rows are being read, by index, until every earlier one is complete too.
    private Dictionary<int, Operation>? _building;
    private readonly Dictionary<string, ProgrammeTarget> _newProgrammes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _programmeCountries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _programmeFunds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _notStoredCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _rowValues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Row, string? Country)> _beneficiaryCountries = new(StringComparer.Ordinal);
    private Dictionary<string, Programme> _byCci = null!;
    private Programme? _named;

    public async Task<ImportReport> ImportAsync(string path, KohesioImportOptions? options = null, Actor? actor = null, CancellationToken ct = default)
    {
        options ??= new KohesioImportOptions();
        Reset();
        var file = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            _errors.Add(null, null, $"file not found: {path}");
            return Report(file, default);
        }

        if (!string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase))
        {
            _errors.Add(null, null, $"'{Path.GetExtension(path)}' files cannot be imported as a Kohesio list: it is a CSV file (.csv, UTF-8)");
            return Report(file, default);
        }

        if (options.Language is { } lang && !Languages.Contains(lang))
        {
            _errors.Add(null, null, $"the language '{lang}' is not one the registry keeps ({string.Join(", ", Languages)})");
            return Report(file, default);
        }

        var programmes = await db.Programmes.AsNoTracking().Where(p => p.DeletedAt == null).ToListAsync(ct);
        _byCci = programmes.Where(p => p.Cci != null).GroupBy(p => p.Cci!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (options.Programme is { } slug)
        {
            _named = programmes.FirstOrDefault(p => p.Slug == slug);
            if (_named is null)
            {
                _errors.Add(null, null, $"no programme of the registry has the slug '{slug}'");
                return Report(file, default);
            }
        }

        // The file is read twice (ADR 30): its size and time before the first reading must still be the same after
        // the second, or the rows written could differ from the rows checked.
        var stamp = Stamp(path);
        await ReadAsync(path, file, options, ct);
        if (AfterFirstReading is { } between)
        {
            await between(ct);
        }

        foreach (var (column, count) in _notStoredCounts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            _notes.Add($"the '{column}' column ({count} values) is checked but not stored: {NotStored[column]}");
        }

        if (_errors.Count > 0)
        {
            return Report(file, default);
        }

        await using var session = await writer.BeginAsync(actor ?? Actor.Command("import kohesio", path), ct);
        // New operations, beneficiaries and their links are inserted by prepared commands, not tracked (ADR 30): each
        // is complete when created (its values are written before the chunk's flush) and never changed after it.
        session.BulkCreate = !options.TrackedCreate;
        var source = await SourceAsync(session, path, file, options, ct);
        var counts = await WriteAsync(session, source, path, file, options, ct);
        if (_errors.Count == 0 && Stamp(path) != stamp)
        {
            Changed(null);
        }

        if (_errors.Count > 0)
        {
            // The second pass read something the first did not check (the file changed in between): the session is
            // disposed uncommitted, so nothing is written.
            return Report(file, default);
        }

        await session.CommitAsync(ct);
        return Report(file, counts);
    }

    /// <summary>
    /// Runs between the two readings of the file (tests: a file replaced while it is imported must be refused whole,
    /// ADR 30).
    /// </summary>
    internal Func<CancellationToken, Task>? AfterFirstReading { get; set; }

    /// <summary>The importer is a scoped service: each import starts from nothing.</summary>
    private void Reset()
    {
        _errors = new ImportErrors();
        _notes.Clear();
        _operationIndex.Clear();
        _summaries.Clear();
        _operationBeneficiaries.Clear();
        _existingProgrammeIds.Clear();
        _newProgrammeLanguages.Clear();
        _headers = null;
        _building = null;
        _newProgrammes.Clear();
        _programmeCountries.Clear();
        _programmeFunds.Clear();
        _notStoredCounts.Clear();
        _beneficiaryCountries.Clear();
        _named = null;
    }

    // ------------------------------------------------------------------ checking

    private async Task ReadAsync(string path, string file, KohesioImportOptions options, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        Dictionary<string, string>? headers = null;
        var count = 0;
        try
        {
            await foreach (var row in new CsvTableReader().ReadAsync(stream, file, ct))
            {
                if (count++ == 0)
                {
                    headers = Headers(row.Keys.ToList());
                    if (headers is null)
                    {
                        return;
                    }

                    _headers = headers;
                }

                ReadRow(row, headers!, options);
            }
        }
        catch (TableReadException e)
        {
            _errors.Add(e.Row, e.Column, e.Reason);
            return;
        }

        if (count == 0)
        {
            _errors.Add(null, null, "the file has no data rows (a header row then one row per operation and beneficiary is expected)");
        }
    }

    /// <summary>
    /// Schema column → the file's header. Case and order do not matter (as for the validator); a column given twice,
    /// a missing required column, or no location column at all are errors of row 1; unknown columns are noted.
    /// </summary>
    private Dictionary<string, string>? Headers(List<string> actual)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var header in actual)
        {
            if (K.Find(header) is not { } field)
            {
                _notes.Add($"the column '{header}' is not a Kohesio column: ignored");
                continue;
            }

            if (!map.TryAdd(field.Name, header))
            {
                _errors.Add(1, header, $"the column {field.Name} is already given as '{map[field.Name]}'");
                ok = false;
            }
        }

        foreach (var field in K.Fields.Where(f => (f.Required || f.Name == K.OperationId) && !map.ContainsKey(f.Name)))
        {
            _errors.Add(1, field.Name, field.Name == K.OperationId
                ? "missing column (the import needs each operation's identifier to find it again at the next import)"
                : "missing column (a required Kohesio column)");
            ok = false;
        }

        if (!K.LocationColumns.Any(map.ContainsKey))
        {
            _errors.Add(1, K.LocationRule, "missing column: at least one of " + string.Join(", ", K.LocationColumns) + " is required");
            ok = false;
        }

        return ok ? map : null;
    }

    private void ReadRow(TableRow row, Dictionary<string, string> headers, KohesioImportOptions options)
    {
        var failed = false;
        string Column(string name) => headers.GetValueOrDefault(name, name);
        void Fail(string name, string reason)
        {
            failed = true;
            _errors.Add(row.RowNumber, name == K.LocationRule ? name : Column(name), reason);
        }

        // One dictionary for every row, emptied: a new one a row (grown column by column) was a quarter of an import's
        // allocations, 1.7 GB at 100,000 rows read twice (ADR 30, "A row's values in one dictionary").
        var values = _rowValues;
        values.Clear();
        foreach (var (name, header) in headers)
        {
            var text = row.GetString(header);
            if (text is not null && text.Length > 1 && text[0] == '\'' && FormulaInjectionGuard.NeedsNeutralising(text.AsSpan(1)))
            {
                // The formula guard of Passerelle's own export: removed, so that an export imports back unchanged.
                text = text[1..];
            }

            if (text is not null && FieldDefinition.ControlCharacter(text) is { } position)
            {
                Fail(name, $"contains a control character (U+{(int)text[position]:X4}) at position {position + 1}; only tab and line breaks are allowed");
                text = null;
            }

            values[name] = text is null ? null : FieldDefinition.Normalise(text);
            if (values[name] is not null && NotStored.ContainsKey(name))
            {
                _notStoredCounts[name] = _notStoredCounts.GetValueOrDefault(name) + 1;
            }
        }

        foreach (var (name, reason) in K.Check(values, headers.ContainsKey))
        {
            // The closed list is Programme_Code's only constraint: with --unlisted-cci, a CCI of the cooperation form passes it.
            if (name == K.ProgrammeCode && options.UnlistedCci && values[name] is { } cci && KindOf(cci) is not null)
            {
                continue;
            }

            Fail(name, reason);
        }

        string? V(string name) => values.GetValueOrDefault(name);

        var id = V(K.OperationId);
        if (id is null)
        {
            Fail(K.OperationId, "a value is required (the import finds each operation again by its identifier)");
        }
        else if (Fields.Project.OperationId.Validate(id) is { } idProblem)
        {
            Fail(K.OperationId, idProblem);
        }
        else if (id.Length > 100)
        {
            Fail(K.OperationId, "longer than 100 characters (it becomes the project's short name)");
        }

        if (V(K.Currency) is { } currency && currency != "EUR" && K.CheckValue(K.Get(K.Currency), currency) is null)
        {
            Fail(K.Currency, $"amounts in {currency} are not imported: the registry keeps amounts in EUR and the format does not say which way its exchange rate converts");
        }

        string? country = null;
        if (V(K.Country) is { } countryText && (country = KohesioCsv.CountryCode(countryText)) is null)
        {
            Fail(K.Country, $"'{Cells.Shorten(countryText)}' is not a country's English name or code (e.g. Ireland, IE)");
        }

        if (V(K.Category) is { } category && K.ParseNumber(category) is { } number && number != decimal.Truncate(number))
        {
            Fail(K.Category, $"'{category}' is not a whole number (a category of intervention's code)");
        }

        // The language of the "programme language" columns.
        var language = options.Language ?? (country is null ? null : LanguageOf(country));
        var nameP = V(K.NameProgrammeLanguage);
        var nameEn = V(K.NameEnglish);
        var summaryP = V(K.SummaryProgrammeLanguage);
        var summaryEn = V(K.SummaryEnglish);
        if (language is null && nameP is not null)
        {
            if (nameP == nameEn && (summaryP is null || summaryP == summaryEn))
            {
                language = "en";
            }
            else
            {
                Fail(K.NameProgrammeLanguage, $"the programme language is not known ({V(K.Country) ?? "no country"} has none of {string.Join(", ", Languages)} alone): give it with --language");
            }
        }
        else if (language == "en")
        {
            if (nameEn is not null && nameP is not null && nameEn != nameP)
            {
                Fail(K.NameEnglish, "differs from Operation_Name_Programme_Language, yet the programme language is English");
            }

            if (summaryEn is not null && summaryP is not null && summaryEn != summaryP)
            {
                Fail(K.SummaryEnglish, "differs from Operation_Summary_Programme_Language, yet the programme language is English");
            }
        }

        // The registry's own limits (lengths, characters), checked here for every cell so all errors come at once.
        void Registry(string name, FieldDefinition field, string? value)
        {
            if (value is not null && field.Validate(value) is { } reason)
            {
                Fail(name, reason);
            }
        }

        Registry(K.NameProgrammeLanguage, Fields.Project.Title.En, nameP);
        Registry(K.NameEnglish, Fields.Project.Title.En, nameEn);
        Registry(K.SummaryProgrammeLanguage, Fields.Project.Summary.En, summaryP);
        Registry(K.SummaryEnglish, Fields.Project.Summary.En, summaryEn);
        Registry(K.Postcode, Fields.Project.LocationPostcode, V(K.Postcode));
        Registry(K.Nuts, Fields.Project.LocationNuts, V(K.Nuts));
        Registry(K.PriorityAxisCode, Fields.Project.Priority, V(K.PriorityAxisCode));
        Registry(K.SpecificObjectiveName, Fields.Project.SpecificObjective, V(K.SpecificObjectiveName));
        Registry(K.BeneficiaryName, Fields.Organisation.Name, V(K.BeneficiaryName));
        if (V(K.Amount) is { } amount && K.ParseNumber(amount) is { } total)
        {
            Registry(K.Amount, Fields.Project.TotalBudget, total.ToString(CultureInfo.InvariantCulture));
        }

        if (V(K.Nuts) is { } nuts && !NutsPattern().IsMatch(nuts))
        {
            Fail(K.Nuts, $"'{Cells.Shorten(nuts)}' is not a NUTS code (two letters then up to three letters or digits, e.g. IE061)");
        }

        var programme = Programme(values, Fail);
        if (failed || programme is null || id is null)
        {
            return;
        }

        var beneficiary = V(K.BeneficiaryName)!;
        var matchKey = Slug.MatchKey(beneficiary);
        if (matchKey.Length == 0)
        {
            Fail(K.BeneficiaryName, "a beneficiary's name needs letters or digits");
            return;
        }

        // Canonical values, so that "50" and "50.0" or "1/1/2015" and "01/01/2015" agree.
        var canonical = new Dictionary<string, string?>(OperationColumns.Length, StringComparer.Ordinal);
        foreach (var name in OperationColumns)
        {
            canonical[name] = Canonical(name, V(name));
        }

        var key = programme.Key + "\u001f" + id;
        // The point is the row's, so the beneficiary's location (rows of one operation may give different ones).
        var point = K.ParseGeoPoint(V(K.GeoPoint)) is { } p ? ((double)p.Longitude, (double)p.Latitude) : ((double, double)?)null;
        if (_building is not null)
        {
            Build(row.RowNumber, key, programme, id, canonical, language, (row.RowNumber, beneficiary, matchKey, country, point));
            return;
        }

        var beneficiaryHash = Hash(matchKey);
        var operationValues = OperationValues.Of(canonical);
        if (_operationIndex.TryGetValue(key, out var index))
        {
            var summary = _summaries[index];
            if (summary.Values.All != operationValues.All)
            {
                var what = summary.Values.FirstDifferentColumn(operationValues) is { } column
                    ? $"another {column}"
                    : $"other operation values (one of {string.Join(", ", OperationColumns)})";
                Fail(K.OperationId, $"operation {Cells.Shorten(id)} is already in row {summary.Row} with {what}: the rows of one operation (one per beneficiary) give the same operation values");
                return;
            }

            if (_operationBeneficiaries.TryGetValue((index, beneficiaryHash), out var twice))
            {
                Fail(K.OperationId, $"operation {Cells.Shorten(id)} with the beneficiary {Cells.Shorten(beneficiary)} is already in row {twice}");
                return;
            }
        }
        else
        {
            index = _summaries.Count;
            _operationIndex[key] = index;
            _summaries.Add(new OperationSummary { Row = row.RowNumber, LastRow = row.RowNumber, Programme = programme, Language = language, Values = operationValues });

            if (programme.Existing is { } existingProgramme)
            {
                _existingProgrammeIds.Add(existingProgramme.Id);
            }
            else
            {
                // A new programme's name is in the language of its first operation.
                _newProgrammeLanguages.TryAdd(programme.Key, language);
            }
        }

        // One row per operation and beneficiary: the row's Country is its beneficiary's, the same in every row of it.
        if (_beneficiaryCountries.TryGetValue(matchKey, out var known) && known.Country is not null && country is not null && known.Country != country)
        {
            Fail(K.Country, $"'{V(K.Country)}' disagrees with row {known.Row}, which gives another country for the beneficiary {Cells.Shorten(beneficiary)}");
            return;
        }

        _beneficiaryCountries[matchKey] = (row.RowNumber, known.Country ?? country);
        _operationBeneficiaries.TryAdd((index, beneficiaryHash), row.RowNumber);
        var last = _summaries[index];
        last.LastRow = row.RowNumber;
        _summaries[index] = last;
        if (country is not null)
        {
            _programmeCountries.TryAdd(programme.Key, []);
            _programmeCountries[programme.Key].Add(country);
        }

        if (canonical[K.FundCode] is { } fund)
        {
            _programmeFunds.TryAdd(programme.Key, []);
            _programmeFunds[programme.Key].Add(fund);
        }
    }

    /// <summary>
    /// 64-bit FNV-1a of a value (null as the empty string, as the operation's signature always had it): the first pass
    /// compares an operation's rows by these, not by keeping the first row's strings. Two different values with the same
    /// hash (about 1 in 2^64 per comparison) would let a disagreeing row pass; accepted for memory that does not grow
    /// with the file's texts.
    /// </summary>
    private static ulong Hash(string? value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value ?? "")
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>Second pass: adds the row to its operation, which it creates at the operation's first row.</summary>
    private void Build(int rowNumber, string key, ProgrammeTarget programme, string id, Dictionary<string, string?> canonical, string? language,
        (int Row, string Name, string MatchKey, string? Country, (double Longitude, double Latitude)? Point) beneficiary)
    {
        if (!_operationIndex.TryGetValue(key, out var index))
        {
            Changed(rowNumber);
            return;
        }

        if (!_building!.TryGetValue(index, out var operation))
        {
            if (_summaries[index].Row != rowNumber)
            {
                Changed(rowNumber);
                return;
            }

            operation = new Operation { Key = key, Row = rowNumber, Programme = programme, Id = id, Values = canonical, Language = language };
            _building[index] = operation;
        }

        operation.Beneficiaries.Add(beneficiary);
    }

    private static (long Length, DateTime Written) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, default);
    }

    private void Changed(int? row) => _errors.Add(row, null, "the file changed while it was imported (its second reading differs from the first): nothing is written; import it again");

    /// <summary>
    /// The second pass (ADR 30, streamed import): reads the checked file again and gives its operations in the order of
    /// their first rows, a chunk at a time. An operation is complete at its last row (the first pass noted it); it is
    /// given once it and every earlier operation are complete, so memory holds the operations whose rows are still
    /// being read: a chunk when each operation's rows follow one another (as Kohesio's files and this registry's
    /// export give them), more when rows of many operations interleave.
    /// </summary>
    private async IAsyncEnumerable<List<Operation>> OperationChunksAsync(string path, string file, KohesioImportOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        const int ChunkSize = 2_000;
        _building = [];
        var next = 0;
        var ready = new List<Operation>(ChunkSize);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using var rows = new CsvTableReader().ReadAsync(stream, file, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            try
            {
                if (!await rows.MoveNextAsync())
                {
                    break;
                }
            }
            catch (TableReadException e)
            {
                _errors.Add(e.Row, e.Column, e.Reason);
                yield break;
            }

            var row = rows.Current;
            ReadRow(row, _headers!, options);
            if (_errors.Count > 0)
            {
                yield break;
            }

            while (next < _summaries.Count && _summaries[next].LastRow <= row.RowNumber && _building.Remove(next, out var operation))
            {
                ready.Add(operation);
                next++;
                if (ready.Count == ChunkSize)
                {
                    yield return ready;
                    ready = new List<Operation>(ChunkSize);
                }
            }
        }

        if (next != _summaries.Count)
        {
            Changed(null);
            yield break;
        }

        if (ready.Count > 0)
        {
            yield return ready;
        }
    }

    /// <summary>
    /// The row's programme: the one named with --programme, else the registry's programme with the row's CCI, else a
    /// new one when the CCI says which kind of cooperation programme it is (TC…CB cross-border, TN transnational, IR
    /// interregional; the registry holds cooperation programmes only).
    /// </summary>
    private ProgrammeTarget? Programme(Dictionary<string, string?> values, Action<string, string> fail)
    {
        var cci = values.GetValueOrDefault(K.ProgrammeCode);
        var period = values.GetValueOrDefault(K.Period);
        if (period is null)
        {
            return null;
        }

        Programme? existing = _named;
        if (existing is null && cci is not null)
        {
            existing = _byCci.GetValueOrDefault(cci);
        }

        if (existing is not null)
        {
            if (cci is not null && existing.Cci is not null && existing.Cci != cci)
            {
                fail(K.ProgrammeCode, $"'{cci}' is not the CCI of the programme {existing.Slug} ({existing.Cci})");
                return null;
            }

            if (existing.Period != period)
            {
                fail(K.Period, $"the programme {existing.Slug} is of the period {existing.Period}, not {period}");
                return null;
            }

            return new ProgrammeTarget("#" + existing.Id.ToString(CultureInfo.InvariantCulture), existing, existing.Cci ?? cci ?? "", null, period, existing.Kind);
        }

        if (cci is null)
        {
            fail(K.ProgrammeCode, "a value is needed to know the operation's programme (or name the registry's programme with --programme <slug>)");
            return null;
        }

        if (KindOf(cci) is not { } kind)
        {
            fail(K.ProgrammeCode, $"no programme of the registry has the CCI {cci}, and only a European territorial cooperation programme (a CCI with TC…CB, TN or IR) is created from a file: create it first, or name the registry's programme with --programme <slug>");
            return null;
        }

        if (!cci.StartsWith(period[..4], StringComparison.Ordinal))
        {
            fail(K.ProgrammeCode, $"the CCI {cci} is not of the period {period}");
            return null;
        }

        var name = values.GetValueOrDefault(K.ProgrammeName);
        if (name is null)
        {
            fail(K.ProgrammeName, $"a value is needed to create the programme {cci}, which the registry does not have");
            return null;
        }

        if (Fields.Programme.Name.En.Validate(name) is { } problem)
        {
            fail(K.ProgrammeName, problem);
            return null;
        }

        if (_newProgrammes.TryGetValue(cci, out var known))
        {
            if (known.Name != name)
            {
                fail(K.ProgrammeName, $"the programme {cci} is named '{Cells.Shorten(known.Name!)}' in an earlier row");
                return null;
            }

            return known;
        }

        return _newProgrammes[cci] = new ProgrammeTarget("cci:" + cci, null, cci, name, period, kind);
    }

    /// <summary>The kind of cooperation programme a CCI number says (e.g. 2014TC16RFCB045: cross-border), or null.</summary>
    public static ProgrammeKind? KindOf(string cci) => CciPattern().Match(cci) is { Success: true } m
        ? m.Groups[1].Value switch
        {
            "CB" or "PC" => ProgrammeKind.CrossBorder,
            "TN" => ProgrammeKind.Transnational,
            _ => ProgrammeKind.Interregional,
        }
        : null;

    [GeneratedRegex(@"^\d{4}TC\d{2}[A-Z0-9]{2}(CB|TN|IR|PC)\d{3}$")]
    private static partial Regex CciPattern();

    [GeneratedRegex(@"^[A-Z]{2}[A-Z0-9]{0,3}$")]
    private static partial Regex NutsPattern();

    /// <summary>The language of a country whose only official language is one the registry keeps; null otherwise (Belgium has three).</summary>
    public static string? LanguageOf(string country) => country switch
    {
        "IE" or "UK" => "en",
        "FR" => "fr",
        "NL" => "nl",
        "DE" or "AT" or "LI" => "de",
        _ => null,
    };

    /// <summary>A value in the form it is stored in: ISO dates, invariant numbers, a rate as "50%", a point as "lon, lat".</summary>
    private static string? Canonical(string column, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return column switch
        {
            K.StartDate or K.EndDate => K.ParseDate(value)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            K.CoFinancingRate => ExportRates.Normalise(K.ParseNumber(value, bareNumber: false)!.Value).ToString(CultureInfo.InvariantCulture) + "%",
            K.Amount => ExportRates.Normalise(K.ParseNumber(value)!.Value).ToString(CultureInfo.InvariantCulture),
            K.Category => decimal.Truncate(K.ParseNumber(value)!.Value).ToString(CultureInfo.InvariantCulture),
            K.GeoPoint when K.ParseGeoPoint(value) is { } point =>
                ExportRates.Normalise(point.Longitude).ToString(CultureInfo.InvariantCulture) + ", " + ExportRates.Normalise(point.Latitude).ToString(CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    // ------------------------------------------------------------------ writing

    private async Task<(int Created, int Updated, int Unchanged)> WriteAsync(WriteSession session, SourceHandle source, string path, string file, KohesioImportOptions options, CancellationToken ct)
    {
        // Programmes the file names and the registry lacks.
        var programmeSlugs = (await db.Programmes.AsNoTracking().Select(p => p.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var created = new Dictionary<string, Programme>(StringComparer.Ordinal);
        foreach (var target in _newProgrammes.Values)
        {
            var language = _newProgrammeLanguages.GetValueOrDefault(target.Key) ?? "en";
            var programme = session.Create(new Programme
            {
                Slug = ProjectImporter.UniqueSlug(programmeSlugs, target.Name! + " " + target.Period, "programme"),
                Code = target.Cci,
                Period = target.Period,
                Kind = target.Kind,
                Countries = [.. _programmeCountries.GetValueOrDefault(target.Key, []).Order(StringComparer.Ordinal)],
                Funds = [.. _programmeFunds.GetValueOrDefault(target.Key, []).Order(StringComparer.Ordinal)],
            });
            session.SetValue(programme, Fields.Programme.Name[language], target.Name!, source);
            session.SetValue(programme, Fields.Programme.Cci, target.Cci, source);
            created[target.Key] = programme;
        }

        // Operations already in the registry: by programme and the identifier a source gave them.
        var programmeIds = _existingProgrammeIds.ToList();
        var existing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var x in await (from f in db.Facts.AsNoTracking()
                                 join p in db.Projects.AsNoTracking() on f.SubjectId equals p.Id
                                 where f.SubjectType == SubjectType.Project && f.Field == "operation_id" && !f.Retracted
                                     && p.ProgrammeId != null && programmeIds.Contains(p.ProgrammeId.Value)
                                 select new { p.Id, p.ProgrammeId, f.Value }).ToListAsync(ct))
        {
            existing.TryAdd("#" + x.ProgrammeId!.Value.ToString(CultureInfo.InvariantCulture) + "\u001f" + x.Value, x.Id);
        }

        // An identifier this registry gave (its own export: passerelle-project-{id}) names that project of the programme.
        // (The key is the programme's key, then the operation's identifier.)
        var own = _operationIndex.Where(o => _summaries[o.Value].Programme.Existing is not null && !existing.ContainsKey(o.Key))
            .Select(o => (o.Key, Id: OwnId(o.Key[(o.Key.IndexOf('\u001f', StringComparison.Ordinal) + 1)..]), Programme: _summaries[o.Value].Programme.Existing!.Id))
            .Where(o => o.Id is not null).ToList();
        var ownIds = own.Select(o => o.Id!.Value).ToList();
        var owned = await db.Projects.AsNoTracking().Where(p => ownIds.Contains(p.Id)).Select(p => new { p.Id, p.ProgrammeId }).ToDictionaryAsync(p => p.Id, p => p.ProgrammeId, ct);
        foreach (var (key, id, programmeId) in own)
        {
            if (owned.TryGetValue(id!.Value, out var projectProgramme) && projectProgramme == programmeId)
            {
                existing[key] = id.Value;
            }
        }

        var (organisationKeys, countryless, pointless, points) = await OrganisationKeysAsync(ct);
        var projectSlugs = (await db.Projects.AsNoTracking().Select(p => p.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var organisationSlugs = (await db.Organisations.AsNoTracking().Select(o => o.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var newOrganisations = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var (createdCount, updated, unchanged) = (0, 0, 0);
        await foreach (var chunk in OperationChunksAsync(path, file, options, ct))
        {
            var ids = chunk.Select(o => existing.GetValueOrDefault(o.Key)).Where(id => id != 0).ToList();
            var projects = await db.Projects.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            await session.LoadValuesAsync(projects.Values, ct);
            // Beneficiaries the registry knows without a country: the file's is written for them.
            var countryIds = chunk.SelectMany(o => o.Beneficiaries)
                .Select(b => (b, Id: organisationKeys.GetValueOrDefault(b.MatchKey)))
                .Where(x => (x.b.Country is not null && countryless.Contains(x.Id)) || (x.b.Point is not null && pointless.Contains(x.Id)))
                .Select(x => x.Id).Distinct().ToList();
            var known = await db.Organisations.Where(o => countryIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
            await session.LoadValuesAsync(known.Values, ct);
            var participations = (await db.Participations.Where(x => ids.Contains(x.ProjectId)).Select(x => new { x.ProjectId, x.OrganisationId }).ToListAsync(ct))
                .Select(x => (x.ProjectId, x.OrganisationId)).ToHashSet();
            foreach (var operation in chunk)
            {
                var key = operation.Key;
                Project project;
                var isNew = !existing.TryGetValue(key, out var projectId);
                if (isNew)
                {
                    var programme = operation.Programme.Existing;
                    var title = operation.Values[K.NameEnglish] ?? operation.Values[K.NameProgrammeLanguage]!;
                    project = session.Create(new Project
                    {
                        Slug = ProjectImporter.UniqueSlug(projectSlugs, title, programme?.Slug ?? operation.Programme.Cci),
                        // Kohesio gives no acronym: the operation's identifier is its short name (the column needs one).
                        Acronym = operation.Id,
                        ProgrammeCode = programme?.Code ?? operation.Programme.Cci,
                        // A programme created in this import is saved at the first flush; after it, its id (the tracker is cleared).
                        ProgrammeId = programme?.Id ?? (created[operation.Programme.Key].Id is var saved and not 0 ? saved : null),
                        Programme = programme is null && created[operation.Programme.Key].Id == 0 ? created[operation.Programme.Key] : null,
                    });
                }
                else
                {
                    project = projects[projectId];
                }

                var changed = Apply(session, source, project, operation);
                var operationPoint = false;
                foreach (var (_, name, matchKey, country, point) in operation.Beneficiaries)
                {
                    Organisation? organisation = null;
                    var organisationId = organisationKeys.GetValueOrDefault(matchKey);
                    if (organisationId == 0 && !newOrganisations.TryGetValue(matchKey, out organisation))
                    {
                        organisation = session.Create(new Organisation
                        {
                            Slug = ProjectImporter.UniqueSlug(organisationSlugs, name, "organisation"),
                            Name = name,
                            Latitude = point?.Latitude,
                            Longitude = point?.Longitude,
                        });
                        session.SetValue(organisation, Fields.Organisation.Name, name, source);
                        if (country is not null)
                        {
                            session.SetValue(organisation, Fields.Organisation.Country, country, source);
                        }

                        newOrganisations[matchKey] = organisation;
                    }
                    else if (organisation is null)
                    {
                        known.TryGetValue(organisationId, out var loaded);
                        if (country is not null && loaded is { Country: null })
                        {
                            changed |= session.SetValue(loaded, Fields.Organisation.Country, country, source) != WriteOutcome.Unchanged;
                        }

                        if (point is { } at)
                        {
                            var current = loaded is { Latitude: { } la, Longitude: { } lo } ? (lo, la) : points.TryGetValue(organisationId, out var p) ? p : ((double, double)?)null;
                            if (current is null && loaded is not null)
                            {
                                // The registry has no location for the beneficiary: the row's is its (coordinates are
                                // the organisation's attributes, as the back office sets them).
                                (loaded.Latitude, loaded.Longitude) = (at.Latitude, at.Longitude);
                                changed = true;
                            }
                            else if (current is { } registry && registry != at && !operationPoint)
                            {
                                // The beneficiary is elsewhere in the registry: the row's point is the operation's location.
                                changed |= session.SetValue(project, Fields.Project.LocationPoint, GeoPoint(at), source) != WriteOutcome.Unchanged;
                                operationPoint = true;
                            }
                        }
                    }

                    if (!isNew && organisationId != 0 && participations.Contains((project.Id, organisationId)))
                    {
                        continue;
                    }

                    // A Kohesio beneficiary is a partner of the operation; the format does not say which one leads,
                    // so no role is stated as a value (the record needs one: partner, the registry's role for a beneficiary).
                    var participation = new Participation { Role = ParticipationRole.Partner, NameInSource = name };
                    if (isNew)
                    {
                        participation.Project = project;
                    }
                    else
                    {
                        participation.ProjectId = project.Id;
                    }

                    if (organisation is { Id: 0 })
                    {
                        participation.Organisation = organisation;
                    }
                    else if (organisation is not null)
                    {
                        // Created in an earlier chunk: saved, and no longer tracked.
                        participation.OrganisationId = organisation.Id;
                    }
                    else
                    {
                        participation.OrganisationId = organisationId;
                    }

                    session.Create(participation);
                    if (!isNew)
                    {
                        participations.Add((project.Id, organisationId));
                    }

                    changed = true;
                }

                if (isNew)
                {
                    createdCount++;
                }
                else if (changed)
                {
                    updated++;
                }
                else
                {
                    unchanged++;
                }
            }

            // Each chunk is saved and forgotten: the change tracker (which every save scans) and memory stay flat.
            await session.FlushAsync(clearTracker: true, ct);
        }

        return (createdCount, updated, unchanged);
    }

    private static string GeoPoint((double Longitude, double Latitude) point) => K.FormatGeoPoint(point.Longitude, point.Latitude);

    /// <summary>The record number in an identifier of this registry's own export (<see cref="KohesioCsv.OperationIdOf"/>), or null.</summary>
    private static int? OwnId(string operationId)
    {
        const string prefix = "passerelle-project-";
        return operationId.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(operationId.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    /// <summary>Writes each value the row gives (a blank cell leaves the record's value alone); true when any was written.</summary>
    private static bool Apply(WriteSession session, SourceHandle source, Project p, Operation o)
    {
        var changed = false;
        void Set(FieldDefinition field, string? value)
        {
            if (value is not null)
            {
                changed |= session.SetValue(p, field, value, source) != WriteOutcome.Unchanged;
            }
        }

        var v = o.Values;
        var language = o.Language ?? "en";
        // The registry's own identifier of the record is not a value a source gives.
        if (o.Id != KohesioCsv.OperationIdOf(p.Id))
        {
            Set(Fields.Project.OperationId, o.Id);
        }

        if (language == "en")
        {
            Set(Fields.Project.Title.En, v[K.NameEnglish] ?? v[K.NameProgrammeLanguage]);
            Set(Fields.Project.Summary.En, v[K.SummaryEnglish] ?? v[K.SummaryProgrammeLanguage]);
        }
        else
        {
            Set(Fields.Project.Title[language], v[K.NameProgrammeLanguage]);
            Set(Fields.Project.Title.En, v[K.NameEnglish]);
            Set(Fields.Project.Summary[language], v[K.SummaryProgrammeLanguage]);
            Set(Fields.Project.Summary.En, v[K.SummaryEnglish]);
        }

        Set(Fields.Project.StartDate, v[K.StartDate]);
        Set(Fields.Project.EndDate, v[K.EndDate]);
        Set(Fields.Project.TotalBudget, v[K.Amount]);
        // A rate equal to EU funding over total budget is derived from two sourced amounts (the export computes it so),
        // not stated: not stored as a stated rate, as the keep.eu import does.
        if (v[K.CoFinancingRate] is { } rate && ExportRates.Percent(null, p.TotalBudget, p.EuContribution) != K.ParseNumber(rate, bareNumber: false))
        {
            Set(Fields.Project.ErdfRate, rate);
        }

        Set(Fields.Project.CategoryOfIntervention, v[K.Category]);
        // The programme's only fund is every operation's (the export writes it so): stored for an operation only when it differs.
        var funds = K.Get(K.FundCode).Enum!;
        if (v[K.FundCode] is { } fund && !((o.Programme.Existing?.Funds.Where(funds.Contains).ToList() ?? []) is [var only] && only == fund))
        {
            Set(Fields.Project.Fund, fund);
        }

        Set(Fields.Project.LocationPostcode, v[K.Postcode]);
        Set(Fields.Project.LocationNuts, v[K.Nuts]);
        Set(Fields.Project.Priority, v[K.PriorityAxisCode]);
        Set(Fields.Project.SpecificObjective, v[K.SpecificObjectiveName]);
        return changed;
    }

    /// <summary>
    /// Match keys of every organisation's name and aliases → its id, as the partner import matches them; and the
    /// organisations without a known country.
    /// </summary>
    private async Task<(Dictionary<string, int> Keys, HashSet<int> Countryless, HashSet<int> Pointless, Dictionary<int, (double Longitude, double Latitude)> Points)> OrganisationKeysAsync(CancellationToken ct)
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var countryless = new HashSet<int>();
        var pointless = new HashSet<int>();
        var points = new Dictionary<int, (double Longitude, double Latitude)>();
        foreach (var o in await db.Organisations.AsNoTracking().Where(o => o.DeletedAt == null).Select(o => new { o.Id, o.Name, o.Country, o.Latitude, o.Longitude }).ToListAsync(ct))
        {
            keys.TryAdd(Slug.MatchKey(o.Name), o.Id);
            if (o.Country is null)
            {
                countryless.Add(o.Id);
            }

            if (o.Latitude is { } lat && o.Longitude is { } lon)
            {
                points[o.Id] = (lon, lat);
            }
            else
            {
                pointless.Add(o.Id);
            }
        }

        foreach (var a in await db.OrganisationAliases.AsNoTracking().Select(a => new { a.OrganisationId, a.Name }).ToListAsync(ct))
        {
            keys.TryAdd(Slug.MatchKey(a.Name), a.OrganisationId);
        }

        return (keys, countryless, pointless, points);
    }

    /// <summary>The file's source, keyed by a hash of its content, as the keep.eu import makes it: the same file is one source.</summary>
    private async Task<SourceHandle> SourceAsync(WriteSession session, string path, string file, KohesioImportOptions options, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var key = "import-" + Convert.ToHexString(await SHA256.HashDataAsync(stream, ct))[..24].ToLowerInvariant();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var title = string.IsNullOrWhiteSpace(options.SourceTitle) ? file : options.SourceTitle.Trim();
        return await session.SourceAsync(new Source
        {
            Key = key,
            Title = title.Length > 500 ? title[..500] : title,
            Url = string.IsNullOrWhiteSpace(options.SourceUrl) ? null : options.SourceUrl.Trim(),
            SourceDate = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            RetrievedOn = today,
        }, ct);
    }

    private ImportReport Report(string file, (int Created, int Updated, int Unchanged) counts) => new()
    {
        File = file,
        Table = ImportTable.Kohesio,
        Errors = _errors.Listed,
        ErrorCount = _errors.Count,
        Notes = _notes,
        Created = counts.Created,
        Updated = counts.Updated,
        Unchanged = counts.Unchanged,
    };
}
