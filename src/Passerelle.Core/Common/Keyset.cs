using System.Linq.Expressions;
using System.Reflection;

using Microsoft.EntityFrameworkCore;

namespace Passerelle.Core.Common;

/// <summary>
/// One page of a list sorted on (a text key, the id), read by keyset when the request has a <see cref="PageCursor"/>
/// (ADR 31): the page after a cursor is an index range, as cheap at row 2,000,000 as at row 1; without one, by offset.
/// The projects and organisations lists share it, so both page, number and link their pages the same way.
/// </summary>
public static class Keyset
{
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <param name="db">
    /// The context <paramref name="query"/> reads from: its database decides the bound's form after a cursor (a row value
    /// <c>(key, id) &gt; (@key, @id)</c> on PostgreSQL, see <see cref="Beyond"/>), here rather than in each list, so that
    /// no list can page with the form PostgreSQL reads from the index's first entry.
    /// </param>
    /// <param name="query">The filtered list, not yet sorted.</param>
    /// <param name="key">The sort key (an indexed text column); the id breaks ties.</param>
    /// <param name="id">The row's id, the second part of the key.</param>
    /// <param name="project">The rows to read of the sorted, bounded query.</param>
    /// <param name="keyOf">The sort key and id of a row read, for the cursors of the pages around this one.</param>
    /// <param name="total">The list's size, counted by the caller (which may cache it).</param>
    /// <param name="anchors">
    /// The same list's anchors read at the registry's current position (<see cref="ListAnchors"/>), or null: a page asked
    /// by number then starts from the anchor before it instead of skipping every row before it.
    /// </param>
    public static async Task<Paged<TRow>> PageAsync<TEntity, TRow>(
        DbContext db,
        IQueryable<TEntity> query,
        Expression<Func<TEntity, string>> key,
        Expression<Func<TEntity, int>> id,
        Func<IQueryable<TEntity>, IQueryable<TRow>> project,
        Func<TRow, (string Key, int Id)> keyOf,
        int total,
        PageRequest page,
        CancellationToken ct,
        ListAnchors? anchors = null)
    {
        var rowValues = db.Database.IsNpgsql();
        var size = page.PageSize;
        var pageCount = total == 0 ? 1 : (total + size - 1) / size;
        var number = Math.Clamp(page.Page, 1, pageCount);
        List<TRow> rows;
        bool hasNext, hasPrevious;
        switch (page.Cursor)
        {
            case { End: true }:
                number = pageCount;
                rows = await project(query.OrderByDescending(key).ThenByDescending(id).Take(total - ((pageCount - 1) * size))).ToListAsync(ct);
                rows.Reverse();
                (hasNext, hasPrevious) = (false, pageCount > 1);
                break;
            case { Before: false } after:
                rows = await project(query.Where(Beyond(key, id, after, ExpressionType.GreaterThan, rowValues))
                    .OrderBy(key).ThenBy(id).Take(size + 1)).ToListAsync(ct);
                (hasNext, hasPrevious) = (rows.Count > size, true);
                rows = rows.Take(size).ToList();
                break;
            case { } before:
                rows = await project(query.Where(Beyond(key, id, before, ExpressionType.LessThan, rowValues))
                    .OrderByDescending(key).ThenByDescending(id).Take(size + 1)).ToListAsync(ct);
                (hasNext, hasPrevious) = (true, rows.Count > size);
                rows = rows.Take(size).Reverse().ToList();
                break;
            default:
                number = page.Page;
                var (from, skip) = anchors?.Before(page.Skip) is { } anchor
                    ? (query.Where(Beyond(key, id, anchor.Cursor, ExpressionType.GreaterThan, rowValues)), anchor.Skip)
                    : (query, page.Skip);
                rows = await project(from.OrderBy(key).ThenBy(id).Skip(skip).Take(size)).ToListAsync(ct);
                (hasNext, hasPrevious) = ((long)page.Skip + rows.Count < total, page.Page > 1 && rows.Count > 0);
                break;
        }

        string? Cursor(TRow row)
        {
            var (k, i) = keyOf(row);
            return PageCursor.Encode(k, i);
        }

        return new Paged<TRow>(rows, number, size, total)
        {
            Next = hasNext && rows.Count > 0 ? Cursor(rows[^1]) : null,
            Previous = hasPrevious && rows.Count > 0 ? Cursor(rows[0]) : null,
        };
    }

    /// <summary>
    /// The rows after (or before) the cursor in the list's order: <c>key &gt; cursor.Key || (key == cursor.Key &amp;&amp;
    /// id &gt; cursor.Id)</c> (or &lt;), or with <paramref name="rowValues"/> the row
    /// value comparison <c>(key, id) &gt; (cursor.Key, cursor.Id)</c> (or &lt;). The cursor's values are read from a
    /// closure so that the database sees parameters, not literals (one cached plan for every page).
    /// </summary>
    /// <remarks>
    /// The page must be an index range that starts at the cursor, and the planner must know how many rows follow it.
    /// SQLite derives the range <c>key &gt;= @key</c> from the OR by itself (its plan reads <c>Acronym&gt;?</c>). PostgreSQL
    /// takes no index bound from an OR: it read the list's index from its first entry and filtered out each row before
    /// the cursor (at 2 M the end of the projects list 1.1 s, the organisations' page 37,000 0.9 s). With a
    /// redundant <c>key &gt;= @key</c> in front it reads a range, but it estimates the OR as matching a few percent of it,
    /// so for a page near the end of the list (51,010 rows after the anchor, estimated 1,036) it read the whole range and
    /// sorted it instead of reading 1,000 rows in the index's order: 290–315 ms. The row value is one term that it both
    /// bounds the index with and estimates as the range: 6–7 ms (docs/benchmarks.md). EF writes it only through
    /// Npgsql's <c>EF.Functions.GreaterThan</c>; SQLite, which has row values too, is given the form it plans well.
    /// </remarks>
    internal static Expression<Func<TEntity, bool>> Beyond<TEntity>(
        Expression<Func<TEntity, string>> key, Expression<Func<TEntity, int>> id, PageCursor cursor, ExpressionType direction, bool rowValues)
    {
        var entity = key.Parameters[0];
        var idBody = new Rebind(id.Parameters[0], entity).Visit(id.Body);
        var bound = Expression.Constant(new Bound(cursor.Key, cursor.Id));
        var boundKey = Expression.Field(bound, nameof(Bound.Key));
        var boundId = Expression.Field(bound, nameof(Bound.Id));
        if (rowValues)
        {
            var row = direction == ExpressionType.GreaterThan ? RowAfter : RowBefore;
            var body = new Substitute(new Dictionary<ParameterExpression, Expression>
            {
                [row.Parameters[0]] = key.Body,
                [row.Parameters[1]] = idBody,
                [row.Parameters[2]] = boundKey,
                [row.Parameters[3]] = boundId,
            }).Visit(row.Body);
            return Expression.Lambda<Func<TEntity, bool>>(body, entity);
        }

        var keyBeyond = Expression.MakeBinary(direction, Expression.Call(Compare, key.Body, boundKey), Expression.Constant(0));
        var sameKey = Expression.Equal(key.Body, boundKey);
        var idBeyond = Expression.MakeBinary(direction, idBody, boundId);
        return Expression.Lambda<Func<TEntity, bool>>(Expression.OrElse(keyBeyond, Expression.AndAlso(sameKey, idBeyond)), entity);
    }

    /// <summary>
    /// Every <paramref name="every"/>th row's sort key of <paramref name="query"/> in the list's order (<paramref name="key"/>,
    /// then <paramref name="id"/>), read in one pass over the list's index.
    /// </summary>
    public static async Task<ListAnchors> AnchorsAsync<TEntity>(
        IQueryable<TEntity> query, Expression<Func<TEntity, string>> key, Expression<Func<TEntity, int>> id, int every, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        var entity = key.Parameters[0];
        var idBody = new Rebind(id.Parameters[0], entity).Visit(id.Body);
        var row = Expression.Lambda<Func<TEntity, KeyRow>>(
            Expression.New(typeof(KeyRow).GetConstructor([typeof(string), typeof(int)])!, key.Body, idBody), entity);
        var keys = new List<string>();
        var ids = new List<int>();
        var n = 0;
        await foreach (var r in query.OrderBy(key).ThenBy(id).Select(row).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (++n % every == 0)
            {
                keys.Add(r.Key);
                ids.Add(r.Id);
            }
        }

        return new ListAnchors(every, keys, ids);
    }

    // Written as C# so that the tuples have the form Npgsql translates (ValueTuple.Create, boxed to ITuple).
    private static readonly Expression<Func<string, int, string, int, bool>> RowAfter =
        (key, id, boundKey, boundId) => EF.Functions.GreaterThan(ValueTuple.Create(key, id), ValueTuple.Create(boundKey, boundId));

    private static readonly Expression<Func<string, int, string, int, bool>> RowBefore =
        (key, id, boundKey, boundId) => EF.Functions.LessThan(ValueTuple.Create(key, id), ValueTuple.Create(boundKey, boundId));

    private sealed record KeyRow(string Key, int Id);

    private sealed class Bound(string key, int id)
    {
        public readonly string Key = key;
        public readonly int Id = id;
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }

    private sealed class Substitute(Dictionary<ParameterExpression, Expression> by) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => by.GetValueOrDefault(node) ?? node;
    }
}

/// <summary>
/// The sort keys of a whole list's rows number <see cref="Every"/>, 2 × <see cref="Every"/>, … (the last row of each block
/// of <see cref="Every"/>), in the list's order, as the database compares them (ADR 31). A page asked by number, without
/// a cursor (a typed or shared address, a pager's numbered link), is read from the anchor before it: past row
/// 2,000,000 by offset, SQLite walked the whole index before the page (125 ms at the end of the projects' list); from an
/// anchor, fewer than <see cref="Every"/> rows. Valid only for the registry position it was read at: the caller passes
/// it only while current.
/// </summary>
public sealed record ListAnchors(int Every, IReadOnlyList<string> Keys, IReadOnlyList<int> Ids)
{
    /// <summary>Anchors every this many rows of the whole lists: a page reads at most this many index entries before it.</summary>
    public const int DefaultEvery = 1000;

    /// <summary>
    /// The anchor closest before the row <paramref name="skip"/> (0-based), and the rows still to skip after it; null when
    /// the row is in the first block.
    /// </summary>
    public (PageCursor Cursor, int Skip)? Before(int skip)
    {
        var block = Math.Min(skip / Every, Keys.Count);
        return block == 0 ? null : (new PageCursor(Keys[block - 1], Ids[block - 1], Before: false), skip - (block * Every));
    }
}
