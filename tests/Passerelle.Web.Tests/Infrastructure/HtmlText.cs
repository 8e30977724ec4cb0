using System.Net;
using System.Text.RegularExpressions;

namespace Passerelle.Web.Tests.Infrastructure;

internal static partial class HtmlText
{
    /// <summary>The visible text of a page: tags removed, entities decoded, white space collapsed.</summary>
    public static string Of(string html) =>
        Spaces().Replace(WebUtility.HtmlDecode(Tags().Replace(Scripts().Replace(html, " "), " ")), " ");

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Scripts();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
