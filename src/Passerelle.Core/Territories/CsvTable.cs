using System.Text;

namespace Passerelle.Core.Territories;

/// <summary>
/// Minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF, any single-character separator) that keeps the
/// physical line number of each record, because import errors must point at the line a person would open.
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
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException ex)
        {
            throw new TerritoryImportException(fileName, $"cannot read file: {ex.Message}", innerException: ex);
        }

        var rows = Parse(fileName, text, separator);
        if (rows.Count == 0)
        {
            throw new TerritoryImportException(fileName, "file is empty (no header)", lineNumber: 1);
        }

        string[] header = rows[0].Fields;
        if (header.Length > 0 && header[0].Length > 0 && header[0][0] == '\uFEFF')
        {
            header[0] = header[0][1..];
        }

        var table = new CsvTable(fileName, header, rows.GetRange(1, rows.Count - 1));
        foreach (string column in requiredColumns)
        {
            if (!table._columns.ContainsKey(column))
            {
                throw new TerritoryImportException(fileName, "required column missing from header", lineNumber: 1,
                    propertyName: column);
            }
        }

        foreach (var record in table.Records)
        {
            if (record.Fields.Length != header.Length)
            {
                throw new TerritoryImportException(fileName,
                    $"expected {header.Length} fields, found {record.Fields.Length}", lineNumber: record.Line,
                    propertyName: record.Fields.Length < header.Length ? header[record.Fields.Length] : null);
            }
        }

        return table;
    }

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

    private static List<CsvRecord> Parse(string fileName, string text, char separator)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        bool inQuotes = false;
        bool fieldWasQuoted = false;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                    i++;
                    continue;
                }

                if (c == '\n')
                {
                    line++;
                }

                field.Append(c);
                i++;
                continue;
            }

            if (c == '"' && field.Length == 0 && !fieldWasQuoted)
            {
                inQuotes = true;
                fieldWasQuoted = true;
                i++;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldWasQuoted = false;
                i++;
            }
            else if (c is '\r' or '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldWasQuoted = false;
                if (!(fields.Count == 1 && fields[0].Length == 0))
                {
                    records.Add(new CsvRecord(recordLine, [.. fields]));
                }

                fields.Clear();
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                line++;
                recordLine = line;
            }
            else
            {
                field.Append(c);
                i++;
            }
        }

        if (inQuotes)
        {
            throw new TerritoryImportException(fileName, "unterminated quoted field at end of file",
                lineNumber: recordLine);
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(new CsvRecord(recordLine, [.. fields]));
        }

        return records;
    }
}

internal sealed record CsvRecord(int Line, string[] Fields);