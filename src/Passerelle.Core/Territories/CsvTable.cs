namespace Passerelle.Core.Territories;

/// <summary>
/// A CSV file read whole by the platform's reader (<see cref="OpenData.CsvTableReader"/>: strict UTF-8, RFC 4180),
/// with typed accessors whose errors name the file, row and column, as territory import errors must.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string fileName, string[] header, List<CsvRecord> records)
    {
        FileName = fileName;
        Header = header;
        Records = records;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            _columns.TryAdd(header[i], i);
        }
    }

    public string FileName { get; }
    public string[] Header { get; }
    public IReadOnlyList<CsvRecord> Records { get; }

    public static CsvTable Load(string path, char separator, params string[] requiredColumns)
    {
        string fileName = Path.GetFileName(path);
        var records = new List<CsvRecord>();
        string[]? header = null;
        try
        {
            using var stream = File.OpenRead(path);
            var reader = new OpenData.CsvTableReader(new OpenData.CsvReadOptions { Delimiter = separator });
            foreach (var row in reader.ReadAsync(stream, fileName).ToBlockingEnumerable())
            {
                header ??= [.. row.Keys];
                records.Add(new CsvRecord(row.RowNumber, [.. row.Values]));
            }

            header ??= ReadHeaderOnly(path, separator);
        }
        catch (OpenData.TableReadException ex)
        {
            throw new TerritoryImportException(fileName, ex.Reason, lineNumber: ex.Row, propertyName: ex.Column, innerException: ex);
        }
        catch (IOException ex)
        {
            throw new TerritoryImportException(fileName, $"cannot read file: {ex.Message}", innerException: ex);
        }

        var table = new CsvTable(fileName, header, records);
        foreach (string column in requiredColumns)
        {
            if (!table._columns.ContainsKey(column))
            {
                throw new TerritoryImportException(fileName, "required column missing from header", lineNumber: 1,
                    propertyName: column);
            }
        }

        return table;
    }

    // A file with a header and no rows yields no row to take the header from.
    private static string[] ReadHeaderOnly(string path, char separator) =>
        (File.ReadLines(path).FirstOrDefault() ?? "").TrimStart('\uFEFF').Split(separator);

    /// <summary>The raw (possibly empty) value of a column.</summary>
    public string Get(CsvRecord record, string column) => record.Fields[_columns[column]];

    /// <summary>A non-empty, trimmed value; raises with line and column otherwise.</summary>
    public string Required(CsvRecord record, string column)
    {
        string value = Get(record, column).Trim();
        return value.Length == 0
            ? throw Error(record, column, "value is empty")
            : value;
    }

    public string? Optional(CsvRecord record, string column)
    {
        if (!_columns.TryGetValue(column, out int index))
        {
            return null;
        }

        string value = record.Fields[index].Trim();
        return value.Length == 0 ? null : value;
    }

    public long? OptionalInt64(CsvRecord record, string column)
    {
        string? value = Optional(record, column);
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value, System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out long result)
            ? result
            : throw Error(record, column, $"'{value}' is not an integer");
    }

    public double? OptionalDouble(CsvRecord record, string column)
    {
        string? value = Optional(record, column);
        if (value is null)
        {
            return null;
        }

        return double.TryParse(value, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double result)
            ? result
            : throw Error(record, column, $"'{value}' is not a number");
    }

    public TerritoryImportException Error(CsvRecord record, string column, string detail) =>
        new(FileName, detail, lineNumber: record.Line, propertyName: column);
}

internal sealed record CsvRecord(int Line, string[] Fields);
