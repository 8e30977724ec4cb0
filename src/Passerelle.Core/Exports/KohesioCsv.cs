using System.Globalization;
using System.Runtime.CompilerServices;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Core.Exports;

/// <summary>Which operations a Kohesio export covers: a programme (slug or code), a programming period, or all.</summary>
public sealed record KohesioFilter(string? Programme = null, string? Period = null);

/// <summary>
/// What the database gives for one row of the Kohesio CSV: an operation (project) and one of its beneficiaries (a lead
/// partner or partner), or the operation alone when no beneficiary is known.
/// </summary>
public sealed record KohesioSourceRow(
    int ProjectId,
    string Slug,
    string Acronym,
    LocalizedText Title,
    LocalizedText Summary,
    string? StartDate,
    string? EndDate,
    decimal? TotalBudget,
    decimal? EuContribution,
    decimal? StatedEuRate,
    string? Priority,
    string? SpecificObjective,
    string? Period,
    string? Cci,
    string? ProgrammeNameEn,
    string? ProgrammeNameFr,
    string? ProgrammeNameNl,
    string? ProgrammeNameDe,
    List<string>? ProgrammeFunds,
    List<string>? ProgrammeCountries,
    string? OperationId,
    string? Category,
    string? Fund,
    string? Postcode,
    string? Nuts,
    string? Point,
    string? BeneficiaryName,
    string? BeneficiaryCountry,
    double? BeneficiaryLatitude,
    double? BeneficiaryLongitude,
    string Key);

/// <summary>One row as written: the values by schema column, and what keeps the row from passing the validator.</summary>
public sealed record KohesioRow(int ProjectId, string Slug, string OperationId, string Name, IReadOnlyDictionary<string, string?> Values, IReadOnlyList<string> Missing)
{
    public bool IsComplete => Missing.Count == 0;

    /// <summary>The row's place in the file: its project's programme column (<see cref="ListKey"/>), the file's first sort.</summary>
    public string Key { get; init; } = "";
}

/// <summary>One operation that the Kohesio file cannot carry as it is, with what is missing.</summary>
public sealed record KohesioGap(string OperationId, string Project, string Name, string MissingFields);

/// <summary>
/// The list of operations in the Kohesio CSV format (ADR 28): one row per operation and beneficiary, in the Table
/// Schema's columns, streamed from the database. A value the format requires and no source gives is never invented:
/// the row is written with the cell empty and its operation is listed in the report (<see cref="GapsAsync"/>), or
/// left out with <c>complete</c>, so that the file passes the validator as it is.
/// </summary>
public sealed class KohesioCsv(PasserelleDbContext db)
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>Report columns.</summary>
    public static readonly IReadOnlyList<string> ReportColumns = [K.OperationId, "Project", "Operation name", "Missing fields"];

    /// <summary>The Kohesio periods (the schema's Programming_Period values).</summary>
    public static IReadOnlySet<string> Periods => K.Get(K.Period).Enum!;

    /// <summary>Whether a programme slug or code names a published programme.</summary>
    public Task<bool> ProgrammeExistsAsync(string programme, CancellationToken ct) =>
        db.Programmes.AnyAsync(p => p.IsPublished && (p.Slug == programme || p.Code == programme), ct);

    /// <summary>The rows, in programme, operation, lead-first beneficiary order, each checked against the format.</summary>
    public async IAsyncEnumerable<KohesioRow> RowsAsync(KohesioFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        // The merge join of three flat queries (ADR 32); within a caller's transaction, whose snapshot PostgreSQL could
        // not share with a second connection from here, the one-query projection serves instead.
        var sources = ByProjection || db.Database.CurrentTransaction is not null
            ? Query(filter).AsAsyncEnumerable()
            : KohesioMerge.RowsAsync(db, filter, ct);
        await foreach (var row in MapAsync(sources, ct))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The whole file (no filter, every operation) for one download, whose header needs the count of incomplete
    /// operations before the body: the parts are brought up to date (the programmes changed since them read from the
    /// database, once) and opened; the count is theirs and the body copies exactly them (<see cref="ExportParts"/>,
    /// ADR 39), so both are of one registry position. When the parts cannot answer (no files folder, another download
    /// writing them), the count and the body are each read from the database in a pass of their own.
    /// </summary>
    public async Task<FullFile> OpenFullAsync(ExportParts parts, CancellationToken ct)
    {
        var opened = await parts.OpenAsync(db, Parted, ct);
        return new FullFile(this, opened, opened?.Flagged ?? await CountIncompleteAsync(new KohesioFilter(), ct));
    }

    /// <summary>One download of the whole file (<see cref="OpenFullAsync"/>): dispose it once its body is written, or not wanted.</summary>
    public sealed class FullFile : IAsyncDisposable
    {
        private readonly KohesioCsv _kohesio;
        private readonly ExportParts.OpenedParts? _parts;

        internal FullFile(KohesioCsv kohesio, ExportParts.OpenedParts? parts, long incompleteOperations)
        {
            _kohesio = kohesio;
            _parts = parts;
            IncompleteOperations = incompleteOperations;
        }

        /// <summary>The operations of the body that lack a value the format requires.</summary>
        public long IncompleteOperations { get; }

        public Task<ExportResult> WriteAsync(Stream body, CancellationToken ct) =>
            _parts is { } parts ? parts.CopyToAsync(body, ct) : _kohesio.WriteAsync(body, new KohesioFilter(), complete: false, ct);

        public ValueTask DisposeAsync() => _parts?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    // Programmes are in every row of their operations (name, period, CCI, funds, countries): a programme's change reads
    // the parts of its operations again, as for the list of operations. Groupings and themes are in no row.
    private static readonly PartedExport<KohesioRow> Parted = new(
        "kohesio",
        (body, ct) => WriteAsync(body, NoRows(), header: true, complete: false, ct),
        (body, rows, ct) => WriteAsync(body, rows, header: false, complete: false, ct),
        r => r.Key, r => r.ProjectId, ListKey.Of,
        (snapshot, key, ct) => MapAsync(KohesioMerge.RowsAsync(snapshot, key, ct), ct), KohesioMerge.Readers, ExportParts.GroupingsAndThemes)
    {
        Flagged = r => !r.IsComplete,
    };

    private static async IAsyncEnumerable<KohesioRow> NoRows()
    {
        await Task.CompletedTask;
        yield break;
    }

    /// <summary>
    /// The rows as the format writes them. Every value comes from a source or from another value by a fixed rule (a full
    /// date rewritten DD/MM/YYYY, a country code's English name, a fund code's name, EUR for the registry's amounts,
    /// a rate computed from two sourced amounts as every export does); what no source gives stays empty and is named.
    /// An operation's rows (one per beneficiary) differ in their beneficiary only, so the operation's part of a row is
    /// mapped and checked once for the rows that follow it and differ from it in nothing else (ADR 32: mapping was about
    /// a fifth of the file's CPU time at 100 k operations).
    /// </summary>
    internal static async IAsyncEnumerable<KohesioRow> MapAsync(IAsyncEnumerable<KohesioSourceRow> sources, [EnumeratorCancellation] CancellationToken ct = default)
    {
        KohesioSourceRow? previous = null;
        OperationPart? operation = null;
        await foreach (var source in sources.WithCancellation(ct))
        {
            if (operation is null || previous is null || !SameOperation(previous, source))
            {
                operation = Operation(source);
            }

            previous = source;
            yield return WithBeneficiary(operation, source);
        }
    }

    /// <summary>Whether two source rows differ at most in their beneficiary's columns.</summary>
    private static bool SameOperation(KohesioSourceRow a, KohesioSourceRow b) =>
        a == b with
        {
            BeneficiaryName = a.BeneficiaryName,
            BeneficiaryCountry = a.BeneficiaryCountry,
            BeneficiaryLatitude = a.BeneficiaryLatitude,
            BeneficiaryLongitude = a.BeneficiaryLongitude,
        };

    /// <summary>
    /// Reads with the one-query EF projection (six correlated subqueries on facts per row) rather than the merge join:
    /// the reference the merged path is compared with, byte for byte, in the tests and <c>bench export-scale</c>.
    /// </summary>
    public bool ByProjection { get; init; }

    /// <summary>How many operations are incomplete (one streaming pass; nothing kept but the current operation).</summary>
    public async Task<int> CountIncompleteAsync(KohesioFilter filter, CancellationToken ct)
    {
        var count = 0;
        await foreach (var gap in GapsAsync(filter, ct))
        {
            count++;
        }

        return count;
    }

    /// <summary>Each incomplete operation once, with the union of its rows' missing fields.</summary>
    public async IAsyncEnumerable<KohesioGap> GapsAsync(KohesioFilter filter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        KohesioRow? current = null;
        var missing = new List<string>();
        await foreach (var row in RowsAsync(filter, ct))
        {
            if (current is not null && current.ProjectId != row.ProjectId)
            {
                if (missing.Count > 0)
                {
                    yield return Gap(current, missing);
                }

                missing.Clear();
            }

            current = row;
            missing.AddRange(row.Missing.Where(m => !missing.Contains(m)));
        }

        if (current is not null && missing.Count > 0)
        {
            yield return Gap(current, missing);
        }
    }

    private static KohesioGap Gap(KohesioRow row, List<string> missing) => new(row.OperationId, row.Slug, row.Name, string.Join("; ", missing));

    /// <summary>
    /// Writes the CSV: the schema's columns in its order, UTF-8 without byte order mark, comma-separated, RFC 4180
    /// quoting; with <paramref name="complete"/>, only the operations whose every row passes. An operation is left out
    /// whole, never some of its beneficiaries: rows of one operation come together, so one operation is buffered at most.
    /// </summary>
    public async Task<ExportResult> WriteAsync(Stream output, KohesioFilter filter, bool complete, CancellationToken ct) =>
        new(await WriteAsync(output, RowsAsync(filter, ct), header: true, complete, ct));

    /// <summary><paramref name="rows"/> as the file writes them, after its header line or not (a part of the file); how many.</summary>
    private static async Task<long> WriteAsync(Stream output, IAsyncEnumerable<KohesioRow> rows, bool header, bool complete, CancellationToken ct)
    {
        using var buffer = new Utf8ChunkBuffer(output, ChunkChars);
        if (header)
        {
            AppendLine(buffer, Names, NamesFreeText, guard: false);
        }

        var written = 0L;
        var operation = new List<KohesioRow>();
        var cells = new string?[Names.Count];
        async Task FlushOperationAsync()
        {
            if (!complete || operation.All(r => r.IsComplete))
            {
                foreach (var row in operation)
                {
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i] = row.Values.GetValueOrDefault(Names[i]);
                    }

                    AppendLine(buffer, cells, NamesFreeText, guard: true);
                    written++;
                }

                await buffer.FlushIfFullAsync(ct);
            }

            operation.Clear();
        }

        await foreach (var row in rows.WithCancellation(ct))
        {
            if (operation.Count > 0 && operation[0].ProjectId != row.ProjectId)
            {
                await FlushOperationAsync();
            }

            operation.Add(row);
        }

        await FlushOperationAsync();
        await buffer.FlushAsync(ct);
        await output.FlushAsync(ct);
        return written;
    }

    /// <summary>The report: one row per incomplete operation.</summary>
    public async Task<ExportResult> WriteReportAsync(Stream output, KohesioFilter filter, CancellationToken ct)
    {
        using var buffer = new Utf8ChunkBuffer(output, ChunkChars);
        AppendLine(buffer, [.. ReportColumns], ReportFreeText, guard: false);
        var rows = 0L;
        await foreach (var gap in GapsAsync(filter, ct))
        {
            AppendLine(buffer, [gap.OperationId, gap.Project, gap.Name, gap.MissingFields], ReportFreeText, guard: true);
            rows++;
            await buffer.FlushIfFullAsync(ct);
        }

        await buffer.FlushAsync(ct);
        await output.FlushAsync(ct);
        return new ExportResult(rows, 0);
    }

    /// <summary>Chars of CSV encoded and written to the output at once (a few operations' rows).</summary>
    private const int ChunkChars = 64 * 1024;

    /// <summary>
    /// Free-text columns get the spreadsheet formula guard of every Passerelle CSV (<see cref="FormulaInjectionGuard"/>;
    /// the importer removes it again). Codes, numbers, dates and points have a checked form that cannot start a
    /// formula but can start with a minus sign ("-9.05, 53.27"), so they are written as they are.
    /// </summary>
    private static readonly HashSet<string> FreeText = new(StringComparer.Ordinal)
    {
        K.NameProgrammeLanguage, K.NameEnglish, K.BeneficiaryName, K.SummaryEnglish, K.SummaryProgrammeLanguage, K.ProgrammeName,
        K.PriorityAxisCode, K.PriorityAxisName, K.SpecificObjectiveCode, K.SpecificObjectiveName, K.OperationId, K.Postcode,
        "Project", "Operation name", "Missing fields",
    };

    private static readonly IReadOnlyList<string> Names = [.. K.Fields.Select(f => f.Name)];

    // Whether each column of the file and of the report is free text, by position.
    private static readonly bool[] NamesFreeText = [.. Names.Select(FreeText.Contains)];
    private static readonly bool[] ReportFreeText = [.. ReportColumns.Select(FreeText.Contains)];

    /// <summary>
    /// One CSV line into <paramref name="buffer"/>: the cells comma-separated, each quoted (inner quotes doubled) when it
    /// holds a comma, a quote or a line break, or starts or ends with a space (which a reader would trim otherwise); with
    /// <paramref name="guard"/>, free-text cells that a spreadsheet would run as a formula prefixed with an apostrophe.
    /// Written straight into the UTF-8 buffer: a string per line, and another per quoted cell, cost about a fifth of
    /// the file's CPU time at 100 k operations (ADR 32).
    /// </summary>
    internal static void AppendLine(Utf8ChunkBuffer buffer, IReadOnlyList<string?> cells, bool[] freeText, bool guard)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                buffer.Append(',');
            }

            if (cells[i] is not { } value)
            {
                continue;
            }

            var neutralise = guard && freeText[i] && FormulaInjectionGuard.NeedsNeutralising(value);
            // A neutralised cell starts with the apostrophe, so a leading space no longer needs quotes.
            var quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (!neutralise && value.StartsWith(' ')) || value.EndsWith(' ');
            if (quote)
            {
                buffer.Append('"');
            }

            if (neutralise)
            {
                buffer.Append('\'');
            }

            if (quote)
            {
                buffer.AppendQuotedRest(value);
            }
            else
            {
                buffer.Append(value);
            }
        }

        buffer.Append("\r\n");
    }

    private IQueryable<KohesioSourceRow> Query(KohesioFilter filter)
    {
        var projects = db.Projects.AsNoTracking().Where(p => p.IsPublished);
        if (filter.Programme is { } programme)
        {
            projects = projects.Where(p => p.Programme != null && p.Programme.IsPublished && (p.Programme.Slug == programme || p.Programme.Code == programme));
        }

        if (filter.Period is { } period)
        {
            projects = projects.Where(p => p.Programme != null && p.Programme.IsPublished && p.Programme.Period == period);
        }

        // A fact-only field's value shown first: the lowest rank among the values no source has withdrawn (then the
        // lowest id, so that the merge join reads the same value should two ever share a rank).
        const SubjectType project = SubjectType.Project;
        return from p in projects
               from x in db.Participations
                   .Where(x => x.ProjectId == p.Id && x.Role != ParticipationRole.AssociatedPartner && x.Organisation.IsPublished)
                   .DefaultIfEmpty()
               orderby p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : p.ProgrammeCode, p.Acronym, p.Id,
                   x == null ? 0 : x.Role == ParticipationRole.LeadPartner ? 0 : 1, x == null ? "" : x.Organisation.Name, x == null ? 0 : x.OrganisationId
               let published = p.Programme != null && p.Programme.IsPublished
               select new KohesioSourceRow(
                   p.Id, p.Slug, p.Acronym, p.Title, p.Summary, p.StartDate, p.EndDate, p.TotalBudget, p.EuContribution, p.StatedEuRate,
                   p.Priority, p.SpecificObjective,
                   published ? p.Programme!.Period : null,
                   published ? p.Programme!.Cci : null,
                   published ? p.Programme!.Name.En : null,
                   published ? p.Programme!.Name.Fr : null,
                   published ? p.Programme!.Name.Nl : null,
                   published ? p.Programme!.Name.De : null,
                   published ? p.Programme!.Funds : null,
                   published ? p.Programme!.Countries : null,
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "operation_id" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "category_of_intervention" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "fund" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "location_postcode" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "location_nuts" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   db.Facts.Where(f => f.SubjectType == project && f.SubjectId == p.Id && f.Field == "location_lon_lat" && !f.Retracted).OrderBy(f => f.Rank).ThenBy(f => f.Id).Select(f => f.Value).FirstOrDefault(),
                   x == null ? null : x.Organisation.Name,
                   x == null ? null : x.Organisation.Country,
                   x == null ? null : x.Organisation.Latitude,
                   x == null ? null : x.Organisation.Longitude,
                   p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : p.ProgrammeCode);
    }

    /// <summary>The Kohesio fund codes' names (Fund_Name is "a human readable version of the fund name").</summary>
    private static readonly Dictionary<string, string> FundNames = new(StringComparer.Ordinal)
    {
        ["CF"] = "Cohesion Fund",
        ["EAFRD"] = "European Agricultural Fund for Rural Development",
        ["EMFF"] = "European Maritime and Fisheries Fund",
        ["ENI"] = "European Neighbourhood Instrument",
        ["ERDF"] = "European Regional Development Fund",
        ["ESF"] = "European Social Fund",
        ["YEI"] = "Youth Employment Initiative",
        ["IPA II"] = "Instrument for Pre-accession Assistance II",
    };

    /// <summary>
    /// The values of an operation's rows that do not depend on the beneficiary, why some are left empty, and what the
    /// schema finds wrong with each of its columns' values (indexed as <see cref="K.Fields"/>; null for the beneficiary's
    /// columns, which are checked per row).
    /// </summary>
    private sealed record OperationPart(string OperationId, string Name, Dictionary<string, string?> Values, Dictionary<string, string> Why, string?[] Reasons);

    /// <summary>The columns that depend on the row's beneficiary, indexed as <see cref="K.Fields"/>.</summary>
    private static readonly bool[] BeneficiaryColumn = [.. K.Fields.Select(f => f.Name is K.Country or K.GeoPoint or K.BeneficiaryName)];

    private static OperationPart Operation(KohesioSourceRow s)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var why = new Dictionary<string, string>(StringComparer.Ordinal);

        var operationId = s.OperationId ?? OperationIdOf(s.ProjectId);
        values[K.OperationId] = operationId;

        // The programme language: the first language besides English in which the operation's title or summary is
        // known (the cooperation area's languages), else English.
        var language = KeepColumns.OriginalLanguages.FirstOrDefault(l => s.Title[l] is not null || s.Summary[l] is not null) ?? "en";
        values[K.NameProgrammeLanguage] = s.Title[language];
        values[K.NameEnglish] = s.Title.En;
        values[K.SummaryProgrammeLanguage] = s.Summary[language];
        values[K.SummaryEnglish] = s.Summary.En;

        values[K.StartDate] = FullDate(s.StartDate, K.StartDate, why);
        values[K.EndDate] = FullDate(s.EndDate, K.EndDate, why);

        var rate = ExportRates.Percent(s.StatedEuRate, s.TotalBudget, s.EuContribution);
        values[K.CoFinancingRate] = rate?.ToString(CultureInfo.InvariantCulture);
        values[K.Amount] = ExportRates.Normalise(s.TotalBudget)?.ToString(CultureInfo.InvariantCulture);

        // The registry's amounts are in euros: the currency of a known amount is EUR, and EUR needs no exchange rate.
        values[K.Currency] = s.TotalBudget is null ? null : "EUR";

        values[K.Postcode] = s.Postcode;
        values[K.Nuts] = s.Nuts;
        values[K.Category] = s.Category;

        var funds = K.Get(K.FundCode).Enum!;
        var fund = s.Fund ?? (s.ProgrammeFunds?.Where(funds.Contains).ToList() is [var single] ? single : null);
        values[K.FundCode] = fund is not null && funds.Contains(fund) ? fund : null;
        values[K.FundName] = fund is not null && FundNames.TryGetValue(fund, out var fundName) ? fundName : null;

        // Programme_Code is a closed list of CCI numbers in the validator's schema (2014-2020 programmes): another
        // programme's CCI would fail it, so it is left out (the column is optional); Programme_Name names the programme.
        values[K.ProgrammeCode] = s.Cci is { } cci && K.Get(K.ProgrammeCode).Enum!.Contains(cci) ? cci : null;
        values[K.ProgrammeName] = s.ProgrammeNameEn ?? s.ProgrammeNameFr ?? s.ProgrammeNameNl ?? s.ProgrammeNameDe;

        if (s.Period is { } period && !Periods.Contains(period))
        {
            why[K.Period] = $"{period} is not a Kohesio period";
        }

        values[K.Period] = s.Period is not null && Periods.Contains(s.Period) ? s.Period : null;
        values[K.PriorityAxisCode] = s.Priority;
        values[K.SpecificObjectiveName] = s.SpecificObjective;

        return new OperationPart(operationId, s.Title.Best() ?? s.Acronym, values, why, [.. K.Fields.Select((f, i) => BeneficiaryColumn[i] ? null : K.CheckField(f, values))]);
    }

    /// <summary>
    /// <paramref name="operation"/>'s row for the beneficiary of <paramref name="s"/> (none: the operation alone), checked
    /// against the format: the beneficiary's columns here, the others as the operation's were.
    /// </summary>
    private static KohesioRow WithBeneficiary(OperationPart operation, KohesioSourceRow s)
    {
        var values = new Dictionary<string, string?>(operation.Values, StringComparer.Ordinal);
        var why = operation.Why;
        var country = s.BeneficiaryCountry ?? (s.ProgrammeCountries is [var only] ? only : null);
        values[K.Country] = country is null ? null : CountryName(country);
        values[K.GeoPoint] = s.Point ?? (s.BeneficiaryLongitude is { } lon && s.BeneficiaryLatitude is { } lat ? K.FormatGeoPoint(lon, lat) : null);
        values[K.BeneficiaryName] = s.BeneficiaryName;

        var missing = new List<string>();
        foreach (var (column, reason) in Problems(operation, values))
        {
            var entry = why.TryGetValue(column, out var because) ? $"{column} ({because})"
                : reason == "a value is required" || column == K.LocationRule ? column
                : $"{column} ({reason})";
            if (!missing.Contains(entry))
            {
                missing.Add(entry);
            }
        }

        return new KohesioRow(s.ProjectId, s.Slug, operation.OperationId, operation.Name, values, missing) { Key = s.Key };
    }

    /// <summary>What <see cref="K.Check"/> finds in <paramref name="values"/>, in its order, with the operation's columns' reasons as found once.</summary>
    private static List<(string Column, string Reason)> Problems(OperationPart operation, Dictionary<string, string?> values)
    {
        var problems = new List<(string Column, string Reason)>();
        var fields = K.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            if ((BeneficiaryColumn[i] ? K.CheckField(fields[i], values) : operation.Reasons[i]) is { } reason)
            {
                problems.Add((fields[i].Name, reason));
            }
        }

        K.AddRuleProblems(values, _ => true, problems);
        return problems;
    }

    /// <summary>
    /// An operation's identifier when no source gives one: the project's record number in this registry, which never
    /// changes (a slug can). An identifier a source gives (a Kohesio import's) is written as it is instead.
    /// </summary>
    public static string OperationIdOf(int projectId) => "passerelle-project-" + projectId.ToString(CultureInfo.InvariantCulture);

    /// <summary>A date known to the day as DD/MM/YYYY; a date known to the month or year only is not a full date, and not made one.</summary>
    private static string? FullDate(string? value, string column, Dictionary<string, string> why)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length != 10)
        {
            why[column] = $"{value}: not known to the day";
            return null;
        }

        return K.FormatDate(DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>A country's English name, as Kohesio's Country column writes it ("Ireland").</summary>
    public static string CountryName(string code)
    {
        try
        {
            return new RegionInfo(code switch { "EL" => "GR", "UK" => "GB", _ => code }).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    private static readonly Lazy<Dictionary<string, string>> CodesByName = new(() =>
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var code in CountryCodes.All)
        {
            byName.TryAdd(CountryName(code), code);
        }

        return byName;
    });

    /// <summary>A country's code from its English name ("Ireland") or its code ("IE"), or null.</summary>
    public static string? CountryCode(string nameOrCode)
    {
        var text = nameOrCode.Trim();
        if (text.Length == 2 && CountryCodes.IsValid(text.ToUpperInvariant()))
        {
            return text.ToUpperInvariant();
        }

        return text.ToUpperInvariant() switch
        {
            "GR" => "EL",
            "GB" => "UK",
            _ => CodesByName.Value.GetValueOrDefault(text),
        };
    }
}
