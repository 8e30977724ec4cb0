using System.Text;

namespace Passerelle.Core.OpenData;

/// <summary>
/// A problem in an imported table, located for the person who has to fix the file:
/// "projects.csv, row 12, column 'total_budget_eur': not a number".
/// </summary>
/// <remarks>Rows are 1-based with the header as row 1, as a spreadsheet shows them; XLSX rows are the sheet's own row numbers.</remarks>
public sealed class TableReadException : Exception
{
    /// <summary>Creates the exception; <paramref name="row"/> and <paramref name="column"/> are null when they do not apply.</summary>
    public TableReadException(string file, int? row, string? column, string reason, Exception? innerException = null)
        : this(file, sheet: null, row, column, reason, innerException)
    {
    }

    /// <summary>Creates the exception for a worksheet of a workbook.</summary>
    public TableReadException(string file, string? sheet, int? row, string? column, string reason, Exception? innerException = null)
        : base(Describe(file, sheet, row, column, reason), innerException)
    {
        File = file;
        Sheet = sheet;
        Row = row;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file name as the user knows it.</summary>
    public string File { get; }

    /// <summary>The worksheet, for workbooks.</summary>
    public string? Sheet { get; }

    /// <summary>1-based row (header = 1), when the problem is in a row.</summary>
    public int? Row { get; }

    /// <summary>Column header (or letter, before the header is known), when the problem is in a cell.</summary>
    public string? Column { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    private static string Describe(string file, string? sheet, int? row, string? column, string reason)
    {
        var builder = new StringBuilder(file);
        if (sheet is not null)
        {
            builder.Append(", sheet '").Append(sheet).Append('\'');
        }

        if (row is not null)
        {
            builder.Append(", row ").Append(row.Value);
        }

        if (column is not null)
        {
            builder.Append(", column '").Append(column).Append('\'');
        }

        return builder.Append(": ").Append(reason).ToString();
    }
}
