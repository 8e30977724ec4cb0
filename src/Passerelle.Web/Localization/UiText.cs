using System.Collections.Frozen;
using System.Text.Json;

using Passerelle.Core.Common;

namespace Passerelle.Web.Localization;

/// <summary>
/// The interface's words in the four languages, one JSON file per language (Localization/{en,fr,nl,de}.json), so a
/// translator edits one flat file. English is complete by rule and the fallback; a test checks that every language has
/// every key, so a missing translation fails the build's tests rather than showing an English word in a French page.
/// </summary>
public sealed class UiText
{
    /// <summary>One file per supported language (<see cref="Language.All"/>).</summary>
    public static IReadOnlyList<string> Languages => Language.Codes;

    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _byLanguage;

    public UiText()
    {
        var assembly = typeof(UiText).Assembly;
        _byLanguage = Languages.ToFrozenDictionary(l => l, l =>
        {
            using var stream = assembly.GetManifestResourceStream($"Passerelle.Web.Localization.{l}.json")
                ?? throw new InvalidOperationException($"The interface text for '{l}' is not embedded (Localization/{l}.json).");
            return (JsonSerializer.Deserialize<Dictionary<string, string>>(stream) ?? []).ToFrozenDictionary(StringComparer.Ordinal);
        });
    }

    /// <summary>The keys of one language, for the completeness test.</summary>
    public IReadOnlyCollection<string> Keys(string language) => _byLanguage[language].Keys;

    /// <summary>The text for a key in a language; English when the language lacks it; the key itself when English does.</summary>
    public string Get(string language, string key) =>
        _byLanguage.TryGetValue(language, out var texts) && texts.TryGetValue(key, out var text) ? text
        : _byLanguage["en"].TryGetValue(key, out var english) ? english
        : key;

    /// <summary>Whether English (and so, by the completeness test, every language) has a text for the key.</summary>
    public bool Has(string key) => _byLanguage["en"].ContainsKey(key);

    /// <summary>A text with {0}-style arguments.</summary>
    public string Format(string language, string key, params object?[] args) =>
        string.Format(Language.Of(language).Culture, Get(language, key), args);
}
