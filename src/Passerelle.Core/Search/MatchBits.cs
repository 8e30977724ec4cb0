using System.Numerics;

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Passerelle.Core.Search;

/// <summary>
/// The documents a query matches, as a bitset of global doc ids, without scoring: each term's postings are read once
/// into bits, a word's forms are OR-ed, the words AND-ed. What needs every match and no ranking (the statistics of a
/// search, ADR 22) pays a few nanoseconds per posting instead of Lucene's scored disjunction per matching document
/// (a common word is five or six term postings, and the disjunction keeps them in a heap and sums their scores).
/// Handles the shapes <see cref="QueryBuilder"/> builds once rewritten: boolean queries of term queries and
/// constant-score filters (a prefix's terms), and the match-all query; anything else answers null and the caller
/// collects through Lucene as before. Deleted documents are left in: <see cref="ForEachLive"/> skips them.
/// </summary>
internal static class MatchBits
{
    /// <summary>A run of documents of <see cref="ForEachLive"/> (global doc ids, increasing).</summary>
    public delegate void LiveRun(ReadOnlySpan<int> docs);

    /// <summary>The documents <paramref name="query"/> matches (deleted ones included); null for a shape not handled here.</summary>
    public static long[]? Of(Query query, IndexReader reader)
    {
        var words = (reader.MaxDoc + 63) >> 6;
        return Evaluate(query, reader, words);
    }

    /// <summary>
    /// Hands the live documents of <paramref name="bits"/> (global doc ids) in the words <paramref name="fromWord"/> to
    /// <paramref name="toWord"/> (exclusive) to <paramref name="handle"/>, in increasing order, in runs of at most
    /// <paramref name="run"/>'s length: the one walk of a match set's bits, for the statistics (a range each on two
    /// cores) and the search's counting (<see cref="ScoredMatches.Collect"/>), which reads a run's records ahead.
    /// </summary>
    public static void ForEachLive(long[] bits, IndexReader reader, int fromWord, int toWord, Span<int> run, LiveRun handle)
    {
        var length = 0;
        foreach (var leaf in reader.Leaves)
        {
            var docBase = leaf.DocBase;
            var start = Math.Max(docBase, fromWord << 6);
            var end = Math.Min(docBase + leaf.AtomicReader.MaxDoc, toWord << 6);
            var live = leaf.AtomicReader.LiveDocs;
            for (var w = start >> 6; w << 6 < end; w++)
            {
                var word = bits[w];
                // Only the range's part of a word shared with a neighbouring leaf or range.
                if (w << 6 < start)
                {
                    word &= ~0L << (start & 63);
                }

                if ((w + 1) << 6 > end)
                {
                    word &= (1L << (end & 63)) - 1;
                }

                while (word != 0)
                {
                    var g = (w << 6) + BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    if (live is null || live.Get(g - docBase))
                    {
                        run[length++] = g;
                        if (length == run.Length)
                        {
                            handle(run);
                            length = 0;
                        }
                    }
                }
            }
        }

        handle(run[..length]);
    }

    /// <summary>The documents set in the first <paramref name="words"/> words of <paramref name="bits"/>.</summary>
    public static long Count(long[] bits, int words)
    {
        long n = 0;
        for (var w = 0; w < words; w++)
        {
            n += BitOperations.PopCount((ulong)bits[w]);
        }

        return n;
    }

    private static long[]? Evaluate(Query query, IndexReader reader, int words)
    {
        var bits = new long[words];
        return AddTo(bits, query, reader) ? bits : null;
    }

    /// <summary>Sets the bits of the documents <paramref name="query"/> matches in <paramref name="bits"/>; false for a shape not handled here.</summary>
    private static bool AddTo(long[] bits, Query query, IndexReader reader)
    {
        switch (query)
        {
            case TermQuery term:
                AddPostings(bits, term.Term, reader);
                return true;
            case ConstantScoreQuery { Filter: { } filter }:
                AddFiltered(bits, filter, reader);
                return true;
            case ConstantScoreQuery { Query: { } inner }:
                return AddTo(bits, inner, reader);
            case MatchAllDocsQuery:
                Array.Fill(bits, ~0L);
                return true;
            case BooleanQuery boolean when Boolean(boolean, reader, bits.Length) is { } matched:
                Or(bits, matched);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Lucene's semantics: with a required clause the optional ones only rank (unless a minimum of them must match);
    /// without one, at least one optional clause must match; a prohibited clause excludes.
    /// </summary>
    private static long[]? Boolean(BooleanQuery query, IndexReader reader, int words)
    {
        var clauses = query.Clauses;
        var minimum = query.MinimumNumberShouldMatch;
        var required = clauses.Any(c => c.Occur == Occur.MUST);
        if (minimum > 1)
        {
            return null;
        }

        long[]? result = null;
        long[]? optional = null;
        foreach (var clause in clauses)
        {
            if (clause.Occur == Occur.MUST)
            {
                if (Evaluate(clause.Query, reader, words) is not { } bits)
                {
                    return null;
                }

                result = result is null ? bits : And(result, bits);
            }
            else if (clause.Occur == Occur.SHOULD && (!required || minimum == 1))
            {
                // The optional clauses of a word (its forms) are OR-ed straight into one set. Beside a required
                // clause (and no minimum) they only rank, so the matches do not depend on them.
                if (!AddTo(optional ??= new long[words], clause.Query, reader))
                {
                    return null;
                }
            }
        }

        result = !required ? optional ?? new long[words]
            : minimum == 1 ? And(result!, optional ?? new long[words])
            : result!;
        foreach (var clause in clauses.Where(c => c.Occur == Occur.MUST_NOT))
        {
            if (Evaluate(clause.Query, reader, words) is not { } excluded)
            {
                return null;
            }

            for (var w = 0; w < words; w++)
            {
                result[w] &= ~excluded[w];
            }
        }

        return result;
    }

    private static void AddPostings(long[] bits, Term term, IndexReader reader)
    {
        DocsEnum? docs = null;
        foreach (var leaf in reader.Leaves)
        {
            var terms = leaf.AtomicReader.GetTerms(term.Field);
            var e = terms?.GetEnumerator();
            if (e is null || !e.SeekExact(term.Bytes))
            {
                continue;
            }

            docs = e.Docs(null, docs, DocsFlags.NONE);
            var docBase = leaf.DocBase;
            int doc;
            while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                var g = docBase + doc;
                bits[g >> 6] |= 1L << g;
            }
        }
    }

    private static void AddFiltered(long[] bits, Filter filter, IndexReader reader)
    {
        foreach (var leaf in reader.Leaves)
        {
            var iterator = filter.GetDocIdSet(leaf, null)?.GetIterator();
            if (iterator is null)
            {
                continue;
            }

            var docBase = leaf.DocBase;
            int doc;
            while ((doc = iterator.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                var g = docBase + doc;
                bits[g >> 6] |= 1L << g;
            }
        }
    }

    internal static long[] And(long[] into, long[] other)
    {
        for (var w = 0; w < into.Length; w++)
        {
            into[w] &= other[w];
        }

        return into;
    }

    private static long[] Or(long[] into, long[] other)
    {
        for (var w = 0; w < into.Length; w++)
        {
            into[w] |= other[w];
        }

        return into;
    }
}
