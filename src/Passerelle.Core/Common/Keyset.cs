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

    /// <param name="query">The filtered list, not yet sorted.</param>
    /// <param name="key">The sort key (an indexed text column); the id breaks ties.</param>
    /// <param name="id">The row's id, the second part of the key.</param>
    /// <param name="project">The rows to read of the sorted, bounded query.</param>
    /// <param name="keyOf">The sort key and id of a row read, for the cursors of the pages around this one.</param>
    /// <param name="total">The list's size, counted by the caller (which may cache it).</param>
    public static async Task<Paged<TRow>> PageAsync<TEntity, TRow>(
        IQueryable<TEntity> query,
        Expression<Func<TEntity, string>> key,
        Expression<Func<TEntity, int>> id,
        Func<IQueryable<TEntity>, IQueryable<TRow>> project,
        Func<TRow, (string Key, int Id)> keyOf,
        int total,
        PageRequest page,
        CancellationToken ct)
    {
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
                rows = await project(query.Where(Beyond(key, id, after, ExpressionType.GreaterThan))
                    .OrderBy(key).ThenBy(id).Take(size + 1)).ToListAsync(ct);
                (hasNext, hasPrevious) = (rows.Count > size, true);
                rows = rows.Take(size).ToList();
                break;
            case { } before:
                rows = await project(query.Where(Beyond(key, id, before, ExpressionType.LessThan))
                    .OrderByDescending(key).ThenByDescending(id).Take(size + 1)).ToListAsync(ct);
                (hasNext, hasPrevious) = (true, rows.Count > size);
                rows = rows.Take(size).Reverse().ToList();
                break;
            default:
                number = page.Page;
                rows = await project(query.OrderBy(key).ThenBy(id).Skip(page.Skip).Take(size)).ToListAsync(ct);
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
    /// <c>key &gt; cursor.Key || (key == cursor.Key &amp;&amp; id &gt; cursor.Id)</c> (or &lt;), the cursor's values read from
    /// a closure so that the database sees parameters, not literals (one cached plan for every page).
    /// </summary>
    private static Expression<Func<TEntity, bool>> Beyond<TEntity>(
        Expression<Func<TEntity, string>> key, Expression<Func<TEntity, int>> id, PageCursor cursor, ExpressionType direction)
    {
        var entity = key.Parameters[0];
        var idBody = new Rebind(id.Parameters[0], entity).Visit(id.Body);
        var bound = Expression.Constant(new Bound(cursor.Key, cursor.Id));
        var boundKey = Expression.Field(bound, nameof(Bound.Key));
        var boundId = Expression.Field(bound, nameof(Bound.Id));
        var keyBeyond = Expression.MakeBinary(direction, Expression.Call(Compare, key.Body, boundKey), Expression.Constant(0));
        var sameKey = Expression.Equal(key.Body, boundKey);
        var idBeyond = Expression.MakeBinary(direction, idBody, boundId);
        return Expression.Lambda<Func<TEntity, bool>>(Expression.OrElse(keyBeyond, Expression.AndAlso(sameKey, idBeyond)), entity);
    }

    private sealed class Bound(string key, int id)
    {
        public readonly string Key = key;
        public readonly int Id = id;
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
