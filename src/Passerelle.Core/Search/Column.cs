using System.Runtime.CompilerServices;

namespace Passerelle.Core.Search;

/// <summary>
/// A read-only run of values of one per-document array of a snapshot (<see cref="FacetTable"/>): an array the snapshot
/// built from the index, or a range of the table file mapped into memory (<see cref="TableFile"/>). A mapped column is
/// the file's pages themselves: a restart reads nothing into the heap (ADR 7, "the table file mapped").
/// </summary>
/// <remarks>
/// A mapped column keeps its mapping alive (<see cref="TableFile.Mapping"/>): the mapping is released only when no
/// column of it is reachable, so a search that still holds its snapshot never reads unmapped memory. A class rather
/// than a struct, so that a dimension's missing column is null as its array was; hot loops take <see cref="Span"/> once.
/// </remarks>
internal sealed unsafe class Column<T>
    where T : unmanaged
{
    private readonly T[]? _array;
    private readonly object? _owner;
    private readonly T* _items;

    private Column(T[] array)
    {
        _array = array;
        Length = array.Length;
    }

    private Column(object owner, T* items, int length)
    {
        _owner = owner;
        _items = items;
        Length = length;
    }

    public int Length { get; }

    /// <summary>Whether the values are a mapped file's (not an array of the heap).</summary>
    public bool IsMapped => _owner is not null;

    public ReadOnlySpan<T> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _array is not null ? new ReadOnlySpan<T>(_array) : new ReadOnlySpan<T>(_items, Length);
    }

    public T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Span[index];
    }

    /// <summary>The values of <paramref name="array"/>, which must not be written afterwards.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(array))]
    public static implicit operator Column<T>?(T[]? array) => array is null ? null : new(array);

    /// <summary>Values at <paramref name="items"/> that live as long as <paramref name="owner"/> does.</summary>
    internal static Column<T> Mapped(object owner, T* items, int length) => new(owner, items, length);

    public T[] ToArray() => Span.ToArray();

    /// <summary>A copy of <paramref name="length"/> values from <paramref name="start"/> (a range of the column: <c>column[..^1]</c>).</summary>
    public Column<T> Slice(int start, int length) => Span.Slice(start, length).ToArray();
}
