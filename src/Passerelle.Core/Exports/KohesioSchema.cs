using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Passerelle.Core.Exports;

/// <summary>One column of the Kohesio list-of-operations CSV, as the Table Schema defines it.</summary>
public sealed record KohesioField(
    string Name,
    string Type,
    bool Required,
    decimal? Minimum,
    decimal? Maximum,
    IReadOnlySet<string>? Enum,
    Regex? Pattern,
    bool BareNumber);

/// <summary>
/// The Kohesio list-of-operations format: the Table Schema of the Commission's Kohesio validator
/// (ISAITB/validator-resources-kohesio, resources/schemas/schema.json, kept here as KohesioSchema.json, an embedded
/// resource) and the validator's three extra rules (its plugin, ISAITB/validator-plugin-kohesio): the start date not
/// after the end date, at least one location indicator, an exchange rate when the currency is not EUR. The export
/// checks each row it writes and the importer each row it reads with these same rules (ADR 28).
/// </summary>
public static partial class KohesioSchema
{
    public const string OperationId = "Operation_Unique_Identifier";
    public const string CountryId = "CountryID";
    public const string NameProgrammeLanguage = "Operation_Name_Programme_Language";
    public const string NameEnglish = "Operation_Name_English";
    public const string Country = "Country";
    public const string Postcode = "Location_Indicator_Postcode";
    public const string StartDate = "Operation_Start_Date";
    public const string ExpectedEndDate = "Operation_Expected_End_Date";
    public const string EndDate = "Operation_End_Date";
    public const string CoFinancingRate = "CoFinancing_Rate";
    public const string Amount = "Total_Eligible_Expenditure_amount";
    public const string Currency = "Total_Eligible_Expenditure_Currency";
    public const string ExchangeRate = "Total_Eligible_Expenditure_Exchange_Rate";
    public const string Nuts = "Location_Indicator_NUTS_code";
    public const string BeneficiaryName = "Beneficiary_Name";
    public const string GeoPoint = "Location_Indicator_latitude_longitude";
    public const string Category = "Category_Of_Intervention";
    public const string FundCode = "Fund_Code";
    public const string ProgrammeCode = "Programme_Code";
    public const string SummaryEnglish = "Operation_Summary_English";
    public const string SummaryProgrammeLanguage = "Operation_Summary_Programme_Language";
    public const string Period = "Programming_Period";
    public const string ProgrammeName = "Programme_Name";
    public const string PriorityAxisCode = "Program_Priority_Axis_Code";
    public const string PriorityAxisName = "Program_Priority_Axis_Name";
    public const string SpecificObjectiveCode = "Program_Specific_Objective_Code";
    public const string SpecificObjectiveName = "Program_Specific_Objective_Name";
    public const string ThematicObjectiveCode = "Program_Thematic_Objective_Code";
    public const string ThematicObjectiveName = "Program_Thematic_Objective_Name";
    public const string FundName = "Fund_Name";
    public const string LastUpdate = "Date_Of_Last_Update";
    public const string BeneficiaryId = "Beneficiary_Unique_Identifier";
    public const string SocialMedia = "Social_Media_Links";

    /// <summary>The three location indicators: at least one per row (the validator's LocationIndicatorRule).</summary>
    public static readonly IReadOnlyList<string> LocationColumns = [Postcode, Nuts, GeoPoint];

    /// <summary>How the report and errors name the location rule.</summary>
    public const string LocationRule = "Location indicator (postcode, NUTS code or longitude, latitude)";

    private static readonly Lazy<IReadOnlyList<KohesioField>> Loaded = new(Load);

    /// <summary>The columns, in the schema's order (the order the export writes).</summary>
    public static IReadOnlyList<KohesioField> Fields => Loaded.Value;

    /// <summary>The schema column a header names, ignoring case (the validator ignores header case), or null.</summary>
    public static KohesioField? Find(string header) =>
        Fields.FirstOrDefault(f => string.Equals(f.Name, header.Trim(), StringComparison.OrdinalIgnoreCase));

    public static KohesioField Get(string name) => Fields.First(f => f.Name == name);

    /// <summary>
    /// Every problem of one row, as (column, reason): each value against its column's type and constraints, then the
    /// extra rules. <paramref name="values"/> holds trimmed values by schema column name, null or absent when blank.
    /// <paramref name="present"/> says which columns the file has (the export: all): the extra rules, like the
    /// validator's, apply only when their columns are there.
    /// </summary>
    public static List<(string Column, string Reason)> Check(IReadOnlyDictionary<string, string?> values, Func<string, bool>? present = null)
    {
        var problems = new List<(string, string)>();
        foreach (var field in Fields)
        {
            if (CheckField(field, values) is { } reason)
            {
                problems.Add((field.Name, reason));
            }
        }

        AddRuleProblems(values, present ?? (_ => true), problems);
        return problems;
    }

    /// <summary>Why the value of <paramref name="field"/> in <paramref name="values"/> fails the schema (blank and required, or not of its column), or null.</summary>
    public static string? CheckField(KohesioField field, IReadOnlyDictionary<string, string?> values) =>
        Value(values, field.Name) is { } value ? CheckValue(field, value) : field.Required ? "a value is required" : null;

    /// <summary>The extra rules' problems (after the columns', in this order) appended to <paramref name="problems"/>.</summary>
    public static void AddRuleProblems(IReadOnlyDictionary<string, string?> values, Func<string, bool> present, List<(string Column, string Reason)> problems)
    {
        if (present(StartDate) && present(EndDate) && ParseDate(Value(values, StartDate)) is { } start && ParseDate(Value(values, EndDate)) is { } end && start > end)
        {
            problems.Add((StartDate, $"the start date {Value(values, StartDate)} is after the end date {Value(values, EndDate)}"));
        }

        if (LocationColumns.All(present) && LocationColumns.All(c => Value(values, c) is null))
        {
            problems.Add((LocationRule, "at least one of Location_Indicator_Postcode, Location_Indicator_NUTS_code and Location_Indicator_latitude_longitude is required"));
        }

        if (present(Currency) && present(ExchangeRate) && Value(values, Currency) is { } currency && currency != "EUR" && Value(values, ExchangeRate) is null)
        {
            problems.Add((ExchangeRate, $"an exchange rate is required for the currency '{Shorten(currency)}' (only EUR needs none)"));
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string?> values, string name) =>
        values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    /// <summary>Why <paramref name="value"/> (not blank) cannot be a value of <paramref name="field"/>, or null.</summary>
    public static string? CheckValue(KohesioField field, string value)
    {
        switch (field.Type)
        {
            case "date" when ParseDate(value) is null:
                return $"'{Shorten(value)}' is not a date DD/MM/YYYY";
            case "number" when ParseNumber(value, field.BareNumber) is not { } number:
                return $"'{Shorten(value)}' is not a number (dot decimals, no thousands separator)";
            case "number" when field.Minimum is { } min && ParseNumber(value, field.BareNumber) < min:
                return $"{Shorten(value)} is below the minimum {min.ToString(CultureInfo.InvariantCulture)}";
            case "number" when field.Maximum is { } max && ParseNumber(value, field.BareNumber) > max:
                return $"{Shorten(value)} is above the maximum {max.ToString(CultureInfo.InvariantCulture)}";
            case "geopoint" when ParseGeoPoint(value) is null:
                return $"'{Shorten(value)}' is not a point \"longitude, latitude\" (e.g. \"-9.0491, 53.2744\")";
        }

        if (field.Enum is { } allowed && !allowed.Contains(value))
        {
            return field.Name switch
            {
                Currency => $"'{Shorten(value)}' is not an ISO 4217 currency code (e.g. EUR)",
                Period => $"'{Shorten(value)}' is not a Kohesio programming period ({string.Join(", ", allowed)})",
                FundCode => $"'{Shorten(value)}' is not a Kohesio fund code ({string.Join(", ", allowed)})",
                _ => $"'{Shorten(value)}' is not one of the codes the Kohesio validator accepts",
            };
        }

        if (field.Pattern is { } pattern && !pattern.IsMatch(value))
        {
            return $"'{Shorten(value)}' does not have the expected form";
        }

        return null;
    }

    /// <summary>DD/MM/YYYY; a one-digit day or month is read too (the validator reads dates with Python's %d/%m/%Y).</summary>
    public static DateOnly? ParseDate(string? value) =>
        value is not null && DateOnly.TryParseExact(value.Trim(), ["dd/MM/yyyy", "d/M/yyyy", "dd/M/yyyy", "d/MM/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date : null;

    public static string FormatDate(DateOnly date) => date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>A number with dot decimals; with <paramref name="bareNumber"/> false, a trailing % (or spaces) is allowed ("50%").</summary>
    public static decimal? ParseNumber(string? value, bool bareNumber = true)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.Trim();
        if (!bareNumber)
        {
            text = text.TrimEnd('%').Trim();
        }

        return NumberPattern().IsMatch(text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number : null;
    }

    /// <summary>"lon, lat" (the Table Schema geopoint's default format), each in range.</summary>
    public static (decimal Longitude, decimal Latitude)? ParseGeoPoint(string? value)
    {
        // Checked by the pattern, then read from the text around its one comma: a Match and its groups were three
        // objects and two strings for every row of an import (ADR 30, "A row's values in one dictionary").
        if (value is null || !GeoPointPattern().IsMatch(value))
        {
            return null;
        }

        var text = value.AsSpan();
        var comma = text.IndexOf(',');
        var lon = decimal.Parse(text[..comma].Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var lat = decimal.Parse(text[(comma + 1)..].Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return lon is >= -180 and <= 180 && lat is >= -90 and <= 90 ? (lon, lat) : null;
    }

    public static string FormatGeoPoint(double longitude, double latitude) =>
        string.Create(CultureInfo.InvariantCulture, $"{longitude}, {latitude}");

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")]
    private static partial Regex GeoPointPattern();

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static IReadOnlyList<KohesioField> Load()
    {
        using var stream = typeof(KohesioSchema).Assembly.GetManifestResourceStream("Passerelle.Core.Exports.KohesioSchema.json")
            ?? throw new InvalidOperationException("The Kohesio Table Schema is not embedded in Passerelle.Core.");
        using var document = JsonDocument.Parse(stream);
        var fields = new List<KohesioField>();
        foreach (var f in document.RootElement.GetProperty("fields").EnumerateArray())
        {
            var constraints = f.TryGetProperty("constraints", out var c) ? c : default;
            bool Has(string name, out JsonElement value)
            {
                value = default;
                return constraints.ValueKind == JsonValueKind.Object && constraints.TryGetProperty(name, out value);
            }

            fields.Add(new KohesioField(
                f.GetProperty("name").GetString()!,
                f.GetProperty("type").GetString()!,
                Has("required", out var required) && required.GetBoolean(),
                Has("minimum", out var min) ? min.GetDecimal() : null,
                Has("maximum", out var max) ? max.GetDecimal() : null,
                Has("enum", out var values) ? values.EnumerateArray().Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal) : null,
                // A Table Schema pattern matches the whole value.
                Has("pattern", out var pattern) ? new Regex("^(?:" + pattern.GetString() + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) : null,
                !f.TryGetProperty("bareNumber", out var bare) || bare.GetBoolean()));
        }

        return fields;
    }
}
