using System.Globalization;
using System.Text.RegularExpressions;

using Passerelle.Core.Common;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;

namespace Passerelle.Core.Editing;

/// <summary>
/// The rules an edit must keep, each with its stable <see cref="RuleCodes">code</see>. A value's own checks are its
/// field's (<see cref="FieldDefinition.Validate"/>, the same the imports apply), given a code here; the rules across
/// fields look at the values shown first, i.e. the record's columns after the edit.
/// </summary>
public static partial class RecordRules
{
    /// <summary>
    /// Why <paramref name="value"/> cannot be a value of <paramref name="field"/>, as a violation named
    /// <paramref name="prefix"/> + the field's name, or null when it can.
    /// </summary>
    public static RuleViolation? CheckValue(FieldDefinition field, string? value, string prefix = "")
    {
        var name = prefix + field.Name;
        var text = value is null ? "" : FieldDefinition.Normalise(value);
        if (text.Length == 0)
        {
            return new RuleViolation(name, RuleCodes.Required, $"{field.Label}: a value is needed (an unknown value is not written at all)");
        }

        if (field.Kind is FieldKind.Amount or FieldKind.Number or FieldKind.Count
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && number < 0)
        {
            return new RuleViolation(name, RuleCodes.NegativeAmount, $"{field.Label}: {text} is negative; amounts and counts are 0 or more");
        }

        if (field.Kind == FieldKind.Percent
            && decimal.TryParse(text.TrimEnd('%').Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate)
            && rate is < 0 or > 100)
        {
            return new RuleViolation(name, RuleCodes.RateOutOfRange, $"{field.Label}: {text} is not between 0 % and 100 %");
        }

        if (field.Validate(text) is not { } reason)
        {
            return null;
        }

        var code = text.Length > field.MaxLength ? RuleCodes.TooLong
            : FieldDefinition.ControlCharacter(text) is not null ? RuleCodes.InvalidText
            : field.Kind switch
            {
                FieldKind.Amount or FieldKind.Number or FieldKind.Count or FieldKind.Percent => RuleCodes.InvalidNumber,
                FieldKind.Date => RuleCodes.InvalidDate,
                FieldKind.Url => RuleCodes.InvalidUrl,
                FieldKind.Country => RuleCodes.InvalidCountry,
                _ => RuleCodes.InvalidValue,
            };
        return new RuleViolation(name, code, $"{field.Label}: {reason}");
    }

    /// <summary>A project's end is on or after its start (partial dates compare by their first day).</summary>
    public static RuleViolation? EndAfterStart(string? start, string? end, string field = "end_date") =>
        PartialDate.Earliest(start) is { } s && PartialDate.Earliest(end) is { } e && e < s
            ? new RuleViolation(field, RuleCodes.EndBeforeStart, $"the end date {end} is before the start date {start}")
            : null;

    /// <summary>An EU amount is at most the total it is part of.</summary>
    public static RuleViolation? EuWithinTotal(decimal? total, decimal? eu, string field) =>
        total is { } t && eu is { } u && u > t
            ? new RuleViolation(field, RuleCodes.EuAboveTotal,
                $"the EU amount {u.ToString(CultureInfo.InvariantCulture)} is larger than the total {t.ToString(CultureInfo.InvariantCulture)}")
            : null;

    /// <summary>A project with partners has exactly one lead partner.</summary>
    public static RuleViolation? OneLeadPartner(IReadOnlyCollection<ParticipationRole> roles) =>
        roles.Count(r => r == ParticipationRole.LeadPartner) is var leads && (leads > 1 || (roles.Count > 0 && leads == 0))
            ? new RuleViolation("partners", RuleCodes.LeadPartnerCount,
                leads > 1 ? $"a project has one lead partner; this one would have {leads}" : "a project with partners has one lead partner; none is")
            : null;

    /// <summary>An absolute http(s) address of at most <paramref name="maxLength"/> characters.</summary>
    public static RuleViolation? Url(string field, string url, int maxLength = 1000) =>
        url.Length > maxLength ? new RuleViolation(field, RuleCodes.TooLong, $"an address is at most {maxLength:N0} characters")
        : Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null
        : new RuleViolation(field, RuleCodes.InvalidUrl, $"'{Shorten(url)}' is not a web address (http:// or https://)");

    /// <summary>A country code as the registry writes them (<see cref="CountryCodes"/>).</summary>
    public static RuleViolation? Country(string field, string? code) =>
        code is null or "" ? new RuleViolation(field, RuleCodes.Required, "a country is needed")
        : CountryCodes.Problem(code) is { } problem ? new RuleViolation(field, RuleCodes.InvalidCountry, problem)
        : null;

    /// <summary>
    /// The form of a NUTS code: a country code and up to three letters or digits ("BE", "BE2", "BE25", "FRE11"). Whether
    /// it exists is checked against the territories when they are loaded.
    /// </summary>
    public static bool IsNutsCode(string code) => NutsPattern().IsMatch(code) && CountryCodes.IsValid(code[..2]);

    /// <summary>The form of a municipality's code with its country prefix ("FR59350", "BE34022").</summary>
    public static bool IsLauCode(string code) => LauPattern().IsMatch(code) && CountryCodes.IsValid(code[..2]);

    /// <summary>A slug: lower-case ASCII letters and digits in hyphen-separated words, at most <paramref name="maxLength"/> characters.</summary>
    public static RuleViolation? Slug(string slug, int maxLength) =>
        slug.Length == 0 || slug.Length > maxLength || !SlugPattern().IsMatch(slug)
            ? new RuleViolation("slug", RuleCodes.InvalidSlug, $"'{Shorten(slug)}' is not a slug (lower-case letters, digits and single hyphens, at most {maxLength} characters)")
            : null;

    /// <summary>A required one-line attribute without control characters, at most <paramref name="maxLength"/> characters.</summary>
    public static RuleViolation? Text(string field, string? text, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? new RuleViolation(field, RuleCodes.Required, "a value is needed") : null;
        }

        return text.Length > maxLength ? new RuleViolation(field, RuleCodes.TooLong, $"longer than {maxLength:N0} characters")
            : FieldDefinition.ControlCharacter(text) is { } position
                ? new RuleViolation(field, RuleCodes.InvalidText, $"contains a control character at position {position + 1}")
            : null;
    }

    /// <summary>A date as the registry writes partial dates (yyyy, yyyy-mm, yyyy-mm-dd).</summary>
    public static RuleViolation? Date(string field, string date) =>
        PartialDate.IsValid(date) ? null : new RuleViolation(field, RuleCodes.InvalidDate, $"'{Shorten(date)}' is not a date (yyyy, yyyy-mm or yyyy-mm-dd)");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("^[A-Z]{2}[0-9A-Z]{0,3}$")]
    private static partial Regex NutsPattern();

    [GeneratedRegex("^[A-Z]{2}[0-9A-Z]{3,10}$")]
    private static partial Regex LauPattern();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
