using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// What a reader of a page in one language sees and hears: its text and the attributes read out or shown (aria-label,
/// title, alt, placeholder, and the map's texts that its script shows), leaving out scripts, styles and every element
/// marked with another language (a Dutch title shown on a French page carries lang="nl": it is not interface text).
/// </summary>
internal static partial class VisibleText
{
    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "!doctype",
    };

    private static readonly string[] ShownAttributes = ["aria-label", "title", "alt", "placeholder", "data-zoom-in", "data-zoom-out", "data-attribution"];

    public static string Of(string html, string language)
    {
        var text = new StringBuilder();
        var stack = new Stack<(string Tag, bool Hidden)>();
        var at = 0;
        foreach (Match tag in Tag().Matches(html))
        {
            var hidden = stack.Count > 0 && stack.Peek().Hidden;
            if (!hidden)
            {
                text.Append(WebUtility.HtmlDecode(html[at..tag.Index])).Append(' ');
            }

            at = tag.Index + tag.Length;
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (name.Length == 0)
            {
                continue; // a comment
            }

            if (tag.Groups["end"].Success)
            {
                while (stack.Count > 0 && stack.Pop().Tag != name)
                {
                }

                continue;
            }

            var attributes = tag.Groups["attributes"].Value;
            var lang = Attribute().Matches(attributes).FirstOrDefault(a => a.Groups["name"].Value == "lang")?.Groups["value"].Value;
            var hides = hidden || name is "script" or "style" or "template" || (lang is not null && lang != language);
            if (!hides)
            {
                foreach (Match attribute in Attribute().Matches(attributes))
                {
                    if (ShownAttributes.Contains(attribute.Groups["name"].Value))
                    {
                        text.Append(WebUtility.HtmlDecode(attribute.Groups["value"].Value)).Append(' ');
                    }
                }
            }

            if (!Void.Contains(name) && !attributes.EndsWith('/'))
            {
                stack.Push((name, hides));
            }
        }

        text.Append(WebUtility.HtmlDecode(html[at..]));
        return Spaces().Replace(text.ToString(), " ");
    }

    [GeneratedRegex(@"<(?<end>/)?(?<name>[!a-zA-Z][a-zA-Z0-9]*)(?<attributes>(?:[^>""']|""[^""]*""|'[^']*')*)>|<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<name>[a-zA-Z-]+)\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)')")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
