using System.Collections.Concurrent;

using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Tartarus.Snowball;

namespace Passerelle.Core.Search;

/// <summary>
/// Lucene's <c>SnowballFilter</c> with the stems of the words already seen kept: the same stem for every token, without
/// running the stemmer again for a word the process has stemmed before. A rebuild stems every word of 2 M projects'
/// texts, and a registry's texts repeat a vocabulary of a few tens of thousands of words (ADR 7, "the rebuild's
/// reading and stemming").
/// </summary>
/// <remarks>
/// One cache per language, shared by every thread (each thread has its own filter and stemmer: Lucene reuses an
/// analyzer's chain per thread). Bounded: past <see cref="MaxKept"/> words a language's new words are stemmed and not
/// kept, so memory stays a few megabytes whatever the texts.
/// </remarks>
internal sealed class CachedStemFilter : TokenFilter
{
    /// <summary>Words kept per language: about 100 bytes each.</summary>
    internal const int MaxKept = 50_000;

    private readonly SnowballProgram _stemmer;
    private readonly ConcurrentDictionary<string, string> _stems;
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly ICharTermAttribute _term;
    private readonly IKeywordAttribute _keyword;

    public CachedStemFilter(TokenStream input, SnowballProgram stemmer, ConcurrentDictionary<string, string> stems)
        : base(input)
    {
        _stemmer = stemmer;
        _stems = stems;
        _lookup = stems.GetAlternateLookup<ReadOnlySpan<char>>();
        _term = AddAttribute<ICharTermAttribute>();
        _keyword = AddAttribute<IKeywordAttribute>();
    }

    /// <summary>A cache for one language's filters.</summary>
    public static ConcurrentDictionary<string, string> NewCache() => new(StringComparer.Ordinal);

    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }

        // As SnowballFilter: a token marked as a keyword is left as it is.
        if (_keyword.IsKeyword)
        {
            return true;
        }

        if (_lookup.TryGetValue(_term.Buffer.AsSpan(0, _term.Length), out var kept))
        {
            kept.CopyTo(0, _term.ResizeBuffer(kept.Length), 0, kept.Length);
            _term.Length = kept.Length;
            return true;
        }

        var word = _stems.Count < MaxKept ? new string(_term.Buffer, 0, _term.Length) : null;
        _stemmer.SetCurrent(_term.Buffer, _term.Length);
        _stemmer.Stem();
        var stemmed = _stemmer.CurrentBuffer;
        var length = _stemmer.CurrentBufferLength;
        if (stemmed != _term.Buffer)
        {
            _term.CopyBuffer(stemmed, 0, length);
        }
        else
        {
            _term.Length = length;
        }

        if (word is not null)
        {
            _stems.TryAdd(word, new string(_term.Buffer, 0, length));
        }

        return true;
    }
}
