using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Passerelle.Core.OpenData;

/// <summary>The header of an imported table: column names in order, looked up by name.</summary>
internal sealed class TableHeader
{
    public TableHeader(IReadOnlyList<string> names)
    {
        Names = names;
        Index = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            Index[names[i]] = i;
        }
    }

    public IReadOnlyList<string> Names { get; }

    public Dictionary<string, int> Index { get; }
}

/// <summary>
/// One data row of an imported table: a read-only dictionary header → text (empty string for an empty cell), plus
/// typed getters that fail with a <see cref="TableReadException"/> naming the file, row and column.
/// </summary>
public sealed class TableRow : IReadOnlyDictionary<string, string>
{
    private readonly TableHeader _header;
    private readonly string[] _values;

    internal TableRow(string file, string? sheet, int rowNumber, TableHeader header, string[] values)
    {
        File = file;
        Sheet = sheet;
        RowNumber = rowNumber;
        _header = header;
        _values = values;
    }

    /// <summary>The file name given to the reader.</summary>
    public string File { get; }

    /// <summary>The worksheet name, for workbooks.</summary>
    public string? Sheet { get; }

    /// <summary>1-based row number (header = row 1).</summary>
    public int RowNumber { get; }

    /// <summary>The column names, in file order.</summary>
    public IEnumerable<string> Keys => _header.Names;

    /// <summary>The cell texts, in file order.</summary>
    public IEnumerable<string> Values => _values;

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <summary>The text of a cell; a <see cref="TableReadException"/> when the table has no such column.</summary>
    public string this[string key] => _header.Index.TryGetValue(key, out var i)
        ? _values[i]
        : throw Error(key, "no such column in the file");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _header.Index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_header.Index.TryGetValue(key, out var i))
        {
            value = _values[i];
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The trimmed text, or null when the cell is blank.</summary>
    public string? GetString(string column)
    {
        var text = this[column].Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>The trimmed text; fails when the cell is blank.</summary>
    public string GetRequiredString(string column) => GetString(column) ?? throw Error(column, "a value is required");

    /// <summary>An invariant-culture decimal ("1234.5"), or null when blank; fails with "not a number" otherwise.</summary>
    public decimal? GetDecimal(string column) =>
        GetString(column) is not { } text ? null
        : decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value) ? value
        : throw Error(column, $"not a number ('{Shorten(text)}'; use a dot for decimals and no thousands separator)");

    /// <summary>An integer, or null when blank; fails with "not a whole number" otherwise.</summary>
    public int? GetInt32(string column) =>
        GetString(column) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw Error(column, $"not a whole number ('{Shorten(text)}')");

    /// <summary>An ISO 8601 date (yyyy-MM-dd, time part allowed and ignored), or null when blank.</summary>
    public DateOnly? GetDate(string column)
    {
        if (GetString(column) is not { } text)
        {
            return null;
        }

        var datePart = text.Length > 10 && text[10] is 'T' or ' ' ? text[..10] : text;
        return DateOnly.TryParseExact(datePart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Error(column, $"not a date ('{Shorten(text)}'; expected yyyy-mm-dd)");
    }

    /// <summary>An exception pointing at a cell of this row, for checks made by the importer.</summary>
    public TableReadException Error(string column, string reason) => new(File, Sheet, RowNumber, column, reason);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            yield return new KeyValuePair<string, string>(_header.Names[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
