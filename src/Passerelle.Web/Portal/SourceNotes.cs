using System.Text.RegularExpressions;

using Passerelle.Core.Sources;

namespace Passerelle.Web.Portal;

/// <summary>
/// Numbers the sources a page cites, in order of first use, so each value carries a footnote marker that links to
/// the page's source list: the source is reachable without JavaScript.
/// </summary>
public sealed partial class SourceNotes(PortalPage page)
{
    private readonly List<(SourceRef Source, List<string> Notes)> _sources = [];
    private readonly Dictionary<string, SourceRef> _mentioned = new(StringComparer.Ordinal);

    /// <summary>The page the notes belong to: its language and words.</summary>
    public PortalPage Page { get; } = page;

    public IReadOnlyList<(SourceRef Source, List<string> Notes)> All => _sources;

    public int Cite(SourceRef source, string? note = null)
    {
        var index = _sources.FindIndex(s => s.Source.Key == source.Key);
        if (index < 0)
        {
            _sources.Add((source, []));
            index = _sources.Count - 1;
        }

        if (note is not null && !_sources[index].Notes.Contains(note))
        {
            _sources[index].Notes.Add(note);
        }

        return index + 1;
    }

    /// <summary>Cites every source of a sheet, so the page's list shows all the sources the record draws on.</summary>
    public void CiteAll(FactSheet sheet)
    {
        foreach (var fact in sheet.All)
        {
            Cite(fact.Source);
        }
    }

    /// <summary>
    /// Notes name other sources by their registry key ("also E2, E10 (1st paragraph)"), which means nothing to a
    /// reader. Each key a note mentions that is a source's key is looked up, added to the page's list and shown as that
    /// source's number, a link to its entry: the list is complete and no internal key is shown.
    /// </summary>
    public async Task CiteMentionedAsync(Func<IReadOnlyCollection<string>, Task<IReadOnlyList<SourceRef>>> lookup)
    {
        var candidates = _sources.SelectMany(s => s.Notes)
            .SelectMany(n => KeyLike().Matches(n).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .Take(500)
            .ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var found = (await lookup(candidates)).ToDictionary(s => s.Key, StringComparer.Ordinal);
        // In order of mention, so that the list's new numbers follow the reading order.
        foreach (var key in candidates)
        {
            if (found.TryGetValue(key, out var source))
            {
                _mentioned[key] = source;
                Cite(source);
            }
        }
    }

    /// <summary>A note cut into text and the sources it mentions (see <see cref="CiteMentionedAsync"/>).</summary>
    public IEnumerable<(string Text, int? Number, SourceRef? Source)> Parts(string note)
    {
        var at = 0;
        foreach (Match match in KeyLike().Matches(note))
        {
            if (!_mentioned.TryGetValue(match.Value, out var source))
            {
                continue;
            }

            if (match.Index > at)
            {
                yield return (note[at..match.Index], null, null);
            }

            yield return ("", Cite(source), source);
            at = match.Index + match.Length;
        }

        if (at < note.Length)
        {
            yield return (note[at..], null, null);
        }
    }

    // Keys as the default data writes them (E10, P3): letters then digits, a whole word.
    [GeneratedRegex(@"\b[A-Z]{1,4}[0-9]{1,4}\b")]
    private static partial Regex KeyLike();
}
