using System.Globalization;
using System.Text.RegularExpressions;

using Passerelle.Core.Common;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Registry;

/// <summary>What a field's values are, which decides how they are checked, compared and put in a column.</summary>
public enum FieldKind
{
    /// <summary>One line or a paragraph of text (names, titles, statements as a source words them).</summary>
    Text = 1,

    /// <summary>An amount in EUR: a plain non-negative number, dot decimals ("2592458.80").</summary>
    Amount = 2,

    /// <summary>A whole non-negative number (municipalities, population).</summary>
    Count = 3,

    /// <summary>A non-negative number with optional dot decimals (km², km).</summary>
    Number = 4,

    /// <summary>A date known to the year, month or day (<see cref="PartialDate"/>).</summary>
    Date = 5,

    /// <summary>A percentage as a source states it ("50%"), 0–100.</summary>
    Percent = 6,

    /// <summary>An absolute http(s) address.</summary>
    Url = 7,

    /// <summary>An ISO 3166-1 alpha-2 code (EL and UK as Eurostat writes them).</summary>
    Country = 8,

    /// <summary>A participation role as a source words it ("lead partner", "operational partner").</summary>
    Role = 9,

    /// <summary>public, private or other.</summary>
    LegalStatus = 10,

    /// <summary>An identifier of digits (keep.eu project id).</summary>
    Digits = 11,
}

/// <summary>
/// One fact-bearing field of one kind of record: its stored name ("title.fr", "total_budget_eur"), kind, limits and
/// label, and, where the record has a column for it, how the value shown first is put there. Every value written
/// through <see cref="RegistryWriter"/> is checked against its field; a field not in <see cref="Fields"/> cannot be
/// written. See ADR 0010.
/// </summary>
public sealed partial class FieldDefinition
{
    internal FieldDefinition(SubjectType subject, string name, FieldKind kind, string label, int maxLength = 4000,
        string? language = null, ColumnBinding? column = null)
    {
        Subject = subject;
        Name = language is null ? name : $"{name}.{language}";
        Kind = kind;
        Label = label;
        MaxLength = maxLength;
        Language = language;
        Column = column;
    }

    public SubjectType Subject { get; }

    /// <summary>The name stored with each fact, e.g. "title.fr".</summary>
    public string Name { get; }

    public FieldKind Kind { get; }

    /// <summary>The English label (the UI translates it by <see cref="Name"/>).</summary>
    public string Label { get; }

    public int MaxLength { get; }

    /// <summary>The language of a multilingual field's value (en, fr, nl, de), null otherwise.</summary>
    public string? Language { get; }

    /// <summary>The record's column that holds the value shown first, if it has one.</summary>
    internal ColumnBinding? Column { get; }

    public bool HasColumn => Column is not null;

    public override string ToString() => Name;

    /// <summary>The value in its stored form: trimmed; line breaks as \n.</summary>
    public static string Normalise(string value) => value.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    /// <summary>Why <paramref name="value"/> cannot be a value of this field, or null when it can.</summary>
    public string? Validate(string value)
    {
        if (value.Length == 0)
        {
            return "a value cannot be empty (an unknown value is not written at all)";
        }

        if (value.Length > MaxLength)
        {
            return $"longer than {MaxLength:N0} characters";
        }

        if (ControlCharacter(value) is { } position)
        {
            return $"contains a control character (U+{(int)value[position]:X4}) at position {position + 1}";
        }

        return Kind switch
        {
            FieldKind.Amount or FieldKind.Number when !TryNumber(value, out _) => $"'{Shorten(value)}' is not a plain non-negative number (digits, optional dot decimals)",
            FieldKind.Amount when TryNumber(value, out var amount) && amount >= 1_000_000_000_000m => "an amount of a trillion euros or more is not credible",
            FieldKind.Count when !(value.All(char.IsAsciiDigit) && value.Length <= 12) => $"'{Shorten(value)}' is not a whole non-negative number",
            FieldKind.Date when !PartialDate.IsValid(value) => $"'{Shorten(value)}' is not a date (yyyy, yyyy-mm or yyyy-mm-dd)",
            FieldKind.Percent when ParsePercent(value) is not { } p || p > 100 => $"'{Shorten(value)}' is not a percentage between 0 and 100 (e.g. 50%)",
            FieldKind.Url when !IsWebAddress(value) => $"'{Shorten(value)}' is not a web address (http:// or https://)",
            FieldKind.Country when CountryCodes.Problem(value) is { } problem => problem,
            FieldKind.Role when ParseRole(value) is null => $"unknown role '{Shorten(value)}' (lead partner, partner, associated partner)",
            FieldKind.LegalStatus when ParseLegalStatus(value) is null => $"unknown legal status '{Shorten(value)}' (public, private or other)",
            FieldKind.Digits when !value.All(char.IsAsciiDigit) => $"'{Shorten(value)}' is not made of digits only",
            _ => null,
        };
    }

    /// <summary>
    /// Whether two values of this field say the same thing: amounts and numbers compare as numbers ("2592458.80" and
    /// "2592458.8"), roles and legal statuses by meaning ("operational partner" is a partner), text exactly.
    /// </summary>
    public bool SameValue(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return Kind switch
        {
            FieldKind.Amount or FieldKind.Number or FieldKind.Count =>
                TryNumber(a, out var x) && TryNumber(b, out var y) ? x == y : string.Equals(a, b, StringComparison.Ordinal),
            FieldKind.Percent => ParsePercent(a) is { } p && ParsePercent(b) is { } q ? p == q : string.Equals(a, b, StringComparison.Ordinal),
            FieldKind.Role => ParseRole(a) is { } r && ParseRole(b) is { } s ? r.Role == s.Role : string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
            FieldKind.LegalStatus => string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
            _ => string.Equals(a, b, StringComparison.Ordinal),
        };
    }

    /// <summary>Position of the first control character other than tab and line breaks, if any.</summary>
    public static int? ControlCharacter(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]) && value[i] is not ('\t' or '\n' or '\r'))
            {
                return i;
            }
        }

        return null;
    }

    internal static bool TryNumber(string value, out decimal number) =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);

    /// <summary>"50%", "50 %" or "50" → 50.</summary>
    internal static decimal? ParsePercent(string value) =>
        PercentPattern().IsMatch(value) && TryNumber(value.TrimEnd('%').Trim(), out var p) ? p : null;

    /// <summary>A role as sources word it → the role and, when the wording is not the standard one, the wording.</summary>
    public static (ParticipationRole Role, string? Label)? ParseRole(string value) => value.Trim().ToLowerInvariant() switch
    {
        "lead partner" or "lead" => (ParticipationRole.LeadPartner, null),
        "partner" => (ParticipationRole.Partner, null),
        "associated partner" => (ParticipationRole.AssociatedPartner, null),
        "associated actor" => (ParticipationRole.AssociatedPartner, value.Trim()),
        "operational partner" => (ParticipationRole.Partner, value.Trim()),
        _ => null,
    };

    public static Organisations.LegalStatus? ParseLegalStatus(string value) => value.Trim().ToLowerInvariant() switch
    {
        "public" => Organisations.LegalStatus.Public,
        "private" => Organisations.LegalStatus.Private,
        "other" => Organisations.LegalStatus.Other,
        _ => null,
    };

    private static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^\d{1,3}(\.\d+)?\s*%?$")]
    private static partial Regex PercentPattern();
}

/// <summary>How a record's column follows the value shown first of a field.</summary>
internal sealed class ColumnBinding(Func<object, string?> read, Action<object, string?> write, string[] properties, bool keepWhenNoValue = false)
{
    /// <summary>The entity's properties this column writes (so that the history does not record them twice).</summary>
    public string[] Properties { get; } = properties;

    /// <summary>The column's value as text in the field's form (null when unknown).</summary>
    public Func<object, string?> Read { get; } = read;

    /// <summary>Sets the column from a value (null: no source gives one).</summary>
    public Action<object, string?> Write { get; } = write;

    /// <summary>
    /// Whether the column keeps its value when no fact gives one: a record's identity (an organisation's name, a
    /// project's acronym) and editorial classifications exist before any source is attached.
    /// </summary>
    public bool KeepWhenNoValue { get; } = keepWhenNoValue;
}
