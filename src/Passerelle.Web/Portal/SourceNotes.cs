using Passerelle.Core.Sources;

namespace Passerelle.Web.Portal;

/// <summary>
/// Numbers the sources a page cites, in order of first use, so each value carries a footnote marker that links to
/// the page's source list: the source is reachable without JavaScript.
/// </summary>
public sealed class SourceNotes
{
    private readonly List<(SourceRef Source, List<string> Notes)> _sources = [];

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
}
