namespace Passerelle.Core.Territories;

/// <summary>One NUTS code of <c>nuts2013-to-2021-crosswalk.csv</c> (Eurostat's correspondence tables).</summary>
public sealed record NutsCrosswalkEntry(string Code2013, string? Code2016, string Change2013To2016, string? Code2021,
    string? Change2016To2021, string? Successor2021);

/// <summary>NUTS 2013 → NUTS 2021 mapping from the crosswalk file.</summary>
public sealed class NutsCrosswalk
{
    public const string DefaultFileName = "nuts2013-to-2021-crosswalk.csv";
    private readonly Dictionary<string, NutsCrosswalkEntry> _entries;

    private NutsCrosswalk(Dictionary<string, NutsCrosswalkEntry> entries) => _entries = entries;

    public IReadOnlyCollection<NutsCrosswalkEntry> Entries => _entries.Values;

    public static NutsCrosswalk Read(string path)
    {
        var table = CsvTable.Load(path, ',', "code_2013", "code_2016", "change_2013_2016", "code_2021",
            "change_2016_2021", "successor_2021_from_comment");
        var entries = new Dictionary<string, NutsCrosswalkEntry>(StringComparer.Ordinal);
        foreach (var record in table.Records)
        {
            var entry = new NutsCrosswalkEntry(table.Required(record, "code_2013"), table.Optional(record, "code_2016"),
                table.Required(record, "change_2013_2016"), table.Optional(record, "code_2021"),
                table.Optional(record, "change_2016_2021"), table.Optional(record, "successor_2021_from_comment"));
            if (!entries.TryAdd(entry.Code2013, entry))
            {
                throw table.Error(record, "code_2013", $"duplicate code '{entry.Code2013}'");
            }
        }

        return new NutsCrosswalk(entries);
    }

    public bool Contains(string code2013) => _entries.ContainsKey(code2013);

    /// <summary>
    /// The NUTS 2021 code(s) covering a NUTS 2013 code: the 2021 code; else the successor Eurostat's comment names
    /// (BE324, BE327 → BE328); else, for a unit discontinued without successor (IE01, IE02 were split differently in
    /// 2016), the nearest ancestor that still exists, which covers at least the same ground (IE01 → IE): the
    /// <paramref name="approximate"/> flag then tells the caller that the 2021 area is larger than the listed one.
    /// Null when the code is not in the crosswalk.
    /// </summary>
    public IReadOnlyList<string>? To2021(string code2013, out bool approximate)
    {
        approximate = false;
        if (!_entries.TryGetValue(code2013, out var entry))
        {
            return null;
        }

        if (entry.Code2021 is { } code)
        {
            return [code];
        }

        if (entry.Successor2021 is { } successors)
        {
            return successors.Split([' ', ';', '+'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        for (string parent = code2013[..^1]; parent.Length >= 2; parent = parent[..^1])
        {
            if (_entries.TryGetValue(parent, out var up) && up.Code2021 is { } parentCode)
            {
                approximate = true;
                return [parentCode];
            }
        }

        return null;
    }
}

/// <summary>One row of <c>programme-areas.csv</c>, with its NUTS 2021 equivalent.</summary>
public sealed record ProgrammeAreaRow(
    int Line,
    string Programme,
    string Period,
    string NutsCode,
    int NutsLevel,
    string NutsVersion,
    string Role,
    IReadOnlyList<string> Nuts2021Codes,
    bool Nuts2021Approximate,
    string? SourceTitle,
    string? SourceUrl,
    string? SourceDate,
    string? Note)
{
    /// <summary>The entity for persistence; <paramref name="programmeId"/> and source come from the caller's lookups.</summary>
    public ProgrammeAreaUnit ToEntity(int programmeId, int? sourceId = null, string? name = null) => new()
    {
        ProgrammeId = programmeId,
        NutsCode = NutsCode,
        NutsVersion = NutsVersion,
        Nuts2021Codes = string.Join(' ', Nuts2021Codes),
        Name = name,
        Role = Role,
        SourceId = sourceId,
        Note = Nuts2021Approximate
            ? JoinNotes(Note, $"NUTS 2021 equivalent {string.Join(' ', Nuts2021Codes)} is a parent region (no successor code).")
            : Note,
    };

    private static string JoinNotes(string? a, string b) => string.IsNullOrEmpty(a) ? b : $"{a} {b}";
}

/// <summary>Reads <c>facts/programme-areas.csv</c> and maps every code to NUTS 2021 with the crosswalk.</summary>
public static class ProgrammeAreaReader
{
    public const string DefaultFileName = "programme-areas.csv";
    private static readonly string[] Roles = ["eligible", "core", "partner"];

    /// <summary>Reads both files from <paramref name="factsFolder"/> under their standard names.</summary>
    public static IReadOnlyList<ProgrammeAreaRow> ReadFolder(string factsFolder) =>
        Read(Path.Combine(factsFolder, DefaultFileName), NutsCrosswalk.Read(Path.Combine(factsFolder, NutsCrosswalk.DefaultFileName)));

    /// <summary>
    /// Rows whose <c>nuts_version</c> starts with "NUTS 2021" keep their code; "NUTS 2013" rows go through the
    /// crosswalk (unknown code = error); other versions are country codes outside the EU NUTS 2013 file (CH, IS, LI, NO),
    /// which are NUTS 0 codes in 2021 and so map to themselves.
    /// </summary>
    public static IReadOnlyList<ProgrammeAreaRow> Read(string path, NutsCrosswalk crosswalk)
    {
        ArgumentNullException.ThrowIfNull(crosswalk);
        var table = CsvTable.Load(path, ',', "programme", "period", "nuts_code", "nuts_level", "nuts_version",
            "area_role", "source_title", "source_url", "source_date", "note");
        var rows = new List<ProgrammeAreaRow>(table.Records.Count);
        foreach (var record in table.Records)
        {
            string code = table.Required(record, "nuts_code");
            if (code.Length is < 2 or > 5 || !code.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetterUpper(code[0]))
            {
                throw table.Error(record, "nuts_code", $"'{code}' is not a NUTS code");
            }

            string levelText = table.Required(record, "nuts_level");
            if (!int.TryParse(levelText, System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out int level) || level is < 0 or > 3)
            {
                throw table.Error(record, "nuts_level", $"'{levelText}' is not a NUTS level 0-3");
            }

            if (code.Length != level + 2)
            {
                throw table.Error(record, "nuts_level", $"code '{code}' is not a level-{level} code");
            }

            string version = table.Required(record, "nuts_version");
            string role = table.Required(record, "area_role");
            if (!Roles.Contains(role))
            {
                throw table.Error(record, "area_role", $"'{role}' is not one of {string.Join(", ", Roles)}");
            }

            bool approximate = false;
            IReadOnlyList<string> codes2021;
            if (version.StartsWith("NUTS 2021", StringComparison.Ordinal))
            {
                codes2021 = [code];
            }
            else if (version.StartsWith("NUTS 2013", StringComparison.Ordinal))
            {
                codes2021 = crosswalk.To2021(code, out approximate)
                    ?? throw table.Error(record, "nuts_code", $"NUTS 2013 code '{code}' has no entry in the crosswalk");
            }
            else if (level == 0)
            {
                codes2021 = [code];
            }
            else
            {
                throw table.Error(record, "nuts_version", $"unknown NUTS version '{version}' for a level-{level} code");
            }

            rows.Add(new ProgrammeAreaRow(record.Line, table.Required(record, "programme"), table.Required(record, "period"),
                code, level, version, role, codes2021, approximate, table.Optional(record, "source_title"),
                table.Optional(record, "source_url"), table.Optional(record, "source_date"), table.Optional(record, "note")));
        }

        return rows;
    }
}
