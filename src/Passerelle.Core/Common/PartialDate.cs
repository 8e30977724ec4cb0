using System.Globalization;
using System.Text.RegularExpressions;

namespace Passerelle.Core.Common;

/// <summary>
/// A date known to the day, the month or the year, kept as ISO 8601 text ("2016-10-01", "2016-10", "2016") so that
/// a source that gives only a month is not turned into an invented first day. ISO text sorts chronologically.
/// </summary>
public static partial class PartialDate
{
    [GeneratedRegex(@"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? value) =>
        value is not null && Pattern().IsMatch(value) &&
        (value.Length != 10 || DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));

    /// <summary>The first day the partial date can mean, for comparisons and exports that need a full date.</summary>
    public static DateOnly? Earliest(string? value) => value switch
    {
        null => null,
        { Length: 4 } => new DateOnly(int.Parse(value, CultureInfo.InvariantCulture), 1, 1),
        { Length: 7 } => DateOnly.ParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    public static string Format(string? value, CultureInfo culture)
    {
        if (value is null)
        {
            return "";
        }

        var date = Earliest(value)!.Value;
        return value.Length switch
        {
            4 => value,
            7 => date.ToString(culture.DateTimeFormat.YearMonthPattern, culture),
            _ => date.ToString(DayPattern(culture), culture),
        };
    }

    /// <summary>
    /// The culture's long date without the weekday, so each language writes a date its own way: 1 May 2016 (en-GB),
    /// 1 mai 2016 (fr), 1 mei 2016 (nl), 1. Mai 2016 (de).
    /// </summary>
    public static string DayPattern(CultureInfo culture) =>
        Weekday().Replace(culture.DateTimeFormat.LongDatePattern, "").Trim();

    [GeneratedRegex(@"dddd[,.]?\s*")]
    private static partial Regex Weekday();
}
