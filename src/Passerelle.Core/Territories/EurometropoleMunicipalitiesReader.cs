namespace Passerelle.Core.Territories;

/// <summary>One row of <c>facts/eurometropole-municipalities.csv</c> (a derived list: see the file's README).</summary>
public sealed record EurometropoleMunicipality(
    int Line,
    string Country,
    string LauCode,
    string Name,
    string? NameNl,
    string? TerritoryUnit,
    string? Basis,
    bool InMel90,
    bool InMel95,
    string In2025,
    long? Population,
    string? PopulationReference,
    long? Population2020,
    string? Population2020Reference,
    string? Note)
{
    /// <summary>Code as used by <see cref="Territories.TerritoryUnit.Code"/>: country prefix + INSEE/NIS code.</summary>
    public string UnitCode => Country + LauCode;

    /// <summary>
    /// Space-separated perimeter flags: "mel90" and "mel95" (in the perimeter of the Eurometropole with MEL at 90 or 95
    /// communes), "y2025" (still a municipality of the territory in 2025), "merged2025" (merged into another by 2025).
    /// </summary>
    public string Perimeters
    {
        get
        {
            var flags = new List<string>(3);
            if (InMel90)
            {
                flags.Add("mel90");
            }

            if (InMel95)
            {
                flags.Add("mel95");
            }

            if (In2025 == "yes")
            {
                flags.Add("y2025");
            }
            else if (In2025 == "merged")
            {
                flags.Add("merged2025");
            }

            return string.Join(' ', flags);
        }
    }

    public GroupingTerritoryUnit ToEntity(int groupingId, int? sourceId = null) => new()
    {
        GroupingId = groupingId,
        UnitCode = UnitCode,
        Name = Name,
        Country = Country,
        Perimeters = Perimeters,
        SourceId = sourceId,
    };
}

/// <summary>Reads <c>facts/eurometropole-municipalities.csv</c>.</summary>
public static class EurometropoleMunicipalitiesReader
{
    public const string DefaultFileName = "eurometropole-municipalities.csv";

    public static IReadOnlyList<EurometropoleMunicipality> Read(string path)
    {
        var table = CsvTable.Load(path, ',', "country", "lau_code", "name", "in_perimeter_mel90", "in_perimeter_mel95",
            "in_perimeter_2025");
        var result = new List<EurometropoleMunicipality>(table.Records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in table.Records)
        {
            string country = table.Required(record, "country");
            if (country is not ("FR" or "BE"))
            {
                throw table.Error(record, "country", $"'{country}' is not FR or BE");
            }

            string code = table.Required(record, "lau_code");
            if (code.Length != 5 || !(code.All(char.IsAsciiDigit) || (country == "FR" && code[1] is 'A' or 'B')))
            {
                throw table.Error(record, "lau_code", $"'{code}' is not a 5-character INSEE/NIS code");
            }

            if (!seen.Add(country + code))
            {
                throw table.Error(record, "lau_code", $"duplicate code '{country}{code}'");
            }

            string in2025 = table.Required(record, "in_perimeter_2025");
            if (in2025 is not ("yes" or "no" or "merged"))
            {
                throw table.Error(record, "in_perimeter_2025", $"'{in2025}' is not yes, no or merged");
            }

            result.Add(new EurometropoleMunicipality(record.Line, country, code, table.Required(record, "name"),
                table.Optional(record, "name_nl"), table.Optional(record, "territory_unit"),
                table.Optional(record, "basis"), YesNo(table, record, "in_perimeter_mel90"),
                YesNo(table, record, "in_perimeter_mel95"), in2025, table.OptionalInt64(record, "population"),
                table.Optional(record, "population_ref"), table.OptionalInt64(record, "population_2020"),
                table.Optional(record, "population_2020_ref"), table.Optional(record, "note")));
        }

        return result;
    }

    private static bool YesNo(CsvTable table, CsvRecord record, string column) =>
        table.Required(record, column) switch
        {
            "yes" => true,
            "no" => false,
            var other => throw table.Error(record, column, $"'{other}' is not yes or no"),
        };
}
