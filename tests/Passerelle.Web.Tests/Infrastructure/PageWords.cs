using Passerelle.Core.Common;
using Passerelle.Web.Localization;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>The interface's words as a page shows them, for tests that look for a message in the page's language.</summary>
internal static class PageWords
{
    private static readonly UiText Texts = new();

    /// <summary>The text of a key in a language, as <see cref="HtmlText.Of"/> reads it from a page.</summary>
    public static string Of(string language, string key) => HtmlText.Of(Texts.Get(language, key));

    /// <summary>The text of a key in the language of an address (/fr/... French, unprefixed English).</summary>
    public static string ForPath(string path, string key) => Of(Language.OfPath(path)?.Code ?? Language.Default.Code, key);
}
