using System.Globalization;

using Passerelle.Core.Common;
using Passerelle.Core.OpenData;
using Passerelle.Core.Registry;

namespace Passerelle.Core.Imports;

/// <summary>
/// Reads an import file (CSV or XLSX, by extension) with the hardened readers and checks its header; a
/// <see cref="TableReadException"/> of the reader (encoding, structure, zip bomb...) ends the reading and becomes an
/// error of the report, never a crash.
/// </summary>
internal static class ImportFile
{
    public static async Task ReadAsync(
        string path, IReadOnlyList<string> expectedColumns, ImportErrors errors, Action<TableRow> onRow, CancellationToken ct)
    {
        var name = Path.GetFileName(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".xlsx"))
        {
            errors.Add(null, null, $"'{extension}' files cannot be imported: save the table as .csv (UTF-8) or .xlsx");
            return;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        var rows = extension == ".csv"
            ? new CsvTableReader().ReadAsync(stream, name, ct)
            : new XlsxTableReader().ReadAsync(stream, name, ct);
        var count = 0;
        try
        {
            await foreach (var row in rows)
            {
                if (count++ == 0 && !CheckHeader(row.Keys.ToList(), expectedColumns, errors))
                {
                    return;
                }

                onRow(row);
            }
        }
        catch (TableReadException e)
        {
            errors.Add(e.Row, e.Column, e.Reason);
            return;
        }

        if (count == 0)
        {
            errors.Add(null, null, "the file has no data rows (a header row then one row per record is expected)");
        }
    }

    /// <summary>Missing and unexpected columns are errors of row 1; the order of the columns does not matter.</summary>
    private static bool CheckHeader(List<string> actual, IReadOnlyList<string> expected, ImportErrors errors)
    {
        var ok = true;
        foreach (var column in expected.Where(c => !actual.Contains(c, StringComparer.Ordinal)))
        {
            errors.Add(1, column, "missing column");
            ok = false;
        }

        foreach (var column in actual.Where(c => !expected.Contains(c, StringComparer.Ordinal)))
        {
            errors.Add(1, column, $"unexpected column (the columns are: {string.Join(", ", expected)})");
            ok = false;
        }

        return ok;
    }
}

/// <summary>Typed, checked cell values of one row; every problem is recorded and the row's other cells still checked.</summary>
internal sealed class Cells(TableRow row, ImportErrors errors)
{
    public int Row => row.RowNumber;

    public bool Failed { get; private set; }

    public void Fail(string column, string reason)
    {
        Failed = true;
        errors.Add(row.RowNumber, column, reason);
    }

    public string? Text(string column, int maxLength)
    {
        var value = Clean(column, row.GetString(column));
        if (value is not null && value.Length > maxLength)
        {
            Fail(column, $"longer than {maxLength:N0} characters");
            return null;
        }

        return value;
    }

    public string? Required(string column, int maxLength)
    {
        var failed = Failed;
        Failed = false;
        var value = Text(column, maxLength);
        var cellFailed = Failed;
        Failed |= failed;
        if (value is null && !cellFailed)
        {
            Fail(column, "a value is required");
        }

        return value;
    }

    /// <summary>
    /// A cell that becomes a value of <paramref name="field"/>, checked against the field registry (kind, length,
    /// characters): the rule the write path applies, applied here to every cell first so that the whole file's errors
    /// are reported with their row and column before anything is written.
    /// </summary>
    public string? Value(string column, FieldDefinition field, bool required = false)
    {
        var value = Clean(column, row.GetString(column));
        if (value is null)
        {
            if (required && row.GetString(column) is null)
            {
                Fail(column, "a value is required");
            }

            return null;
        }

        value = FieldDefinition.Normalise(value);
        if (field.Validate(value) is { } reason)
        {
            Fail(column, reason);
            return null;
        }

        return value;
    }

    /// <summary>A number cell (a number in XLSX, dot decimals in CSV) that becomes a value of <paramref name="field"/>.</summary>
    public decimal? Amount(string column, FieldDefinition field)
    {
        try
        {
            if (row.GetDecimal(column) is not { } value)
            {
                return null;
            }

            if (field.Validate(Invariant(value)) is { } reason)
            {
                Fail(column, reason);
                return null;
            }

            return value;
        }
        catch (TableReadException e)
        {
            Fail(column, e.Reason);
            return null;
        }
    }

    /// <summary>
    /// A cell's text as the registry takes it: the spreadsheet formula guard of Passerelle's own exports removed (a
    /// leading quote before =, +, -, @, tab or carriage return: <see cref="FormulaInjectionGuard"/>), so that an
    /// export imports back unchanged; control characters other than tab and line breaks refused (a NUL byte in a title
    /// would be stored and served).
    /// </summary>
    private string? Clean(string column, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > 1 && value[0] == '\'' && FormulaInjectionGuard.NeedsNeutralising(value.AsSpan(1)))
        {
            value = value[1..];
        }

        if (FieldDefinition.ControlCharacter(value) is { } position)
        {
            Fail(column, $"contains a control character (U+{(int)value[position]:X4}) at position {position + 1}; only tab and line breaks are allowed");
            return null;
        }

        return value;
    }

    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    public static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
