using System.Globalization;

namespace Passerelle.Core.Common;

/// <summary>
/// Reads a decimal number typed by a person in any of the portal's languages: "50.63" as in English and "50,63" as in
/// French, Dutch and German. Only one separator is accepted and no grouping of thousands ("1,234" stays ambiguous, so
/// it is read as 1.234, the way a French or German visitor means it: for coordinates, thousands never occur). A minus
/// sign may be the ASCII one or the typographic one (U+2212) a word processor puts in.
/// </summary>
public static class DecimalText
{
    public static bool TryParse(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var normalised = text.Trim().Replace('\u2212', '-');
        if (normalised.Count(c => c is '.' or ',') > 1)
        {
            return false;
        }

        return double.TryParse(normalised.Replace(',', '.'), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }
}
