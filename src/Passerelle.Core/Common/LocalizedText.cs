namespace Passerelle.Core.Common;

/// <summary>A text in the four languages of the cooperation area. Any of them may be missing.</summary>
public sealed record LocalizedText
{
    /// <summary>The supported languages' codes (<see cref="Language.All"/>).</summary>
    public static IReadOnlyList<string> Languages => Language.Codes;

    public string? En { get; init; }
    public string? Fr { get; init; }
    public string? Nl { get; init; }
    public string? De { get; init; }

    public static LocalizedText Empty { get; } = new();

    public string? this[string language] => language switch
    {
        "en" => En,
        "fr" => Fr,
        "nl" => Nl,
        "de" => De,
        _ => null,
    };

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => En is null && Fr is null && Nl is null && De is null;

    /// <summary>The text in <paramref name="language"/>, else the first other language that has one.</summary>
    public LocalizedValue? Resolve(string language)
    {
        if (this[language] is { } exact)
        {
            return new LocalizedValue(exact, language, IsFallback: false);
        }

        foreach (var other in Languages)
        {
            if (this[other] is { } text)
            {
                return new LocalizedValue(text, other, IsFallback: true);
            }
        }

        return null;
    }

    public string? Best(string language = "en") => Resolve(language)?.Text;

    public IEnumerable<(string Language, string Text)> All()
    {
        foreach (var language in Languages)
        {
            if (this[language] is { } text)
            {
                yield return (language, text);
            }
        }
    }
}

public sealed record LocalizedValue(string Text, string Language, bool IsFallback);
