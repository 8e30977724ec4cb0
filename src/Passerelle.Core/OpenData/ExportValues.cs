using System.Globalization;
using System.Numerics;

namespace Passerelle.Core.OpenData;

/// <summary>How the writers see a cell value: number, boolean, date, or text (everything else).</summary>
internal static class ExportValues
{
    /// <summary>Excel's epoch for serial dates (1899-12-30 absorbs the Lotus 1900 leap-year bug after 1900-03-01).</summary>
    private static readonly DateTime ExcelEpoch = new(1899, 12, 30, 0, 0, 0, DateTimeKind.Unspecified);

    private static readonly DateTime FirstSafeExcelDate = new(1900, 3, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Whether the value is a number type (never neutralised, written as a number in XLSX/JSON).</summary>
    public static bool IsNumber(object value) => value is int or long or decimal or double or float or short or byte
        or sbyte or ushort or uint or ulong or Int128 or UInt128 or BigInteger or Half;

    /// <summary>
    /// Formats a number in the invariant culture (dot decimal, no group separator, shortest round-trip form for
    /// floating point). NaN and infinities have no portable representation and give <c>false</c> (an empty cell).
    /// </summary>
    public static bool TryFormatNumber(object value, Span<char> destination, out int written)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case double d when !double.IsFinite(d):
            case float f when !float.IsFinite(f):
            case Half h when !Half.IsFinite(h):
                written = 0;
                return false;
            case ISpanFormattable formattable when formattable.TryFormat(destination, out written, default, invariant):
                return true;
            default:
                var text = ((IFormattable)value).ToString(null, invariant);
                if (text.Length > destination.Length)
                {
                    throw new ArgumentException($"The number {text} is too long to export.", nameof(value));
                }

                text.CopyTo(destination);
                written = text.Length;
                return true;
        }
    }

    /// <summary>The text form of a non-number value: ISO 8601 for dates, "true"/"false", enum names, invariant culture.</summary>
    public static string FormatText(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        // K gives "Z" for UTC, nothing for unspecified; ".FFFFFFF" prints no dot when there is no fraction.
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// An Excel serial date for date values from 1900-03-01 on (earlier ones hit the 1900 leap-year bug and are
    /// written as ISO text instead). <paramref name="hasTime"/> tells whether a time-of-day format is needed.
    /// DateTimeOffset values are converted to UTC: a spreadsheet cell has no time zone.
    /// </summary>
    public static bool TryGetExcelSerial(object value, out double serial, out bool hasTime)
    {
        DateTime dateTime;
        switch (value)
        {
            case DateOnly d:
                dateTime = d.ToDateTime(TimeOnly.MinValue);
                break;
            case DateTime dt:
                dateTime = dt;
                break;
            case DateTimeOffset dto:
                dateTime = dto.UtcDateTime;
                break;
            default:
                serial = 0;
                hasTime = false;
                return false;
        }

        if (dateTime < FirstSafeExcelDate)
        {
            serial = 0;
            hasTime = false;
            return false;
        }

        hasTime = dateTime.TimeOfDay != TimeSpan.Zero;
        serial = (dateTime - ExcelEpoch).TotalDays;
        return true;
    }
}
