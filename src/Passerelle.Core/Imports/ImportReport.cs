using System.Text;

namespace Passerelle.Core.Imports;

/// <summary>The tables that can be imported: the two keep.eu-style tables and Kohesio's list of operations.</summary>
public enum ImportTable
{
    Projects = 1,
    Partners = 2,

    /// <summary>A Kohesio list of operations (<see cref="KohesioImporter"/>): programmes, operations and beneficiaries.</summary>
    Kohesio = 3,
}

/// <summary>Where the imported values come from: stored as the <see cref="Sources.Source"/> of every fact written.</summary>
/// <param name="Title">The source's title; the file name when not given.</param>
/// <param name="Url">Where the file was published, when it was.</param>
public sealed record ImportSourceOptions(string? Title = null, string? Url = null);

/// <summary>One problem in the file, located for the person who fixes it (rows as a spreadsheet shows them: header = 1).</summary>
public sealed record ImportError(int? Row, string? Column, string Reason)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Row is not null)
        {
            text.Append("row ").Append(Row.Value);
        }

        if (Column is not null)
        {
            text.Append(text.Length > 0 ? ", " : "").Append("column '").Append(Column).Append('\'');
        }

        return (text.Length > 0 ? text.Append(": ") : text).Append(Reason).ToString();
    }
}

/// <summary>What an import did, or why it wrote nothing.</summary>
public sealed class ImportReport
{
    public required string File { get; init; }
    public required ImportTable Table { get; init; }

    /// <summary>The errors found, in file order; at most <see cref="ImportErrors.MaxListed"/> are kept.</summary>
    public required IReadOnlyList<ImportError> Errors { get; init; }

    /// <summary>All errors found, including those not listed.</summary>
    public required int ErrorCount { get; init; }

    public int Created { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Succeeded => ErrorCount == 0;

    /// <summary>The report as printed by the import command.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        var table = Table.ToString().ToLowerInvariant();
        if (Succeeded)
        {
            text.Append(File).Append(": ").Append(table).Append(" imported: ")
                .Append(Created).Append(" created, ").Append(Updated).Append(" updated, ").Append(Unchanged).AppendLine(" unchanged.");
        }
        else
        {
            text.Append(File).Append(": ").Append(ErrorCount).Append(ErrorCount == 1 ? " error" : " errors")
                .Append("; nothing was written.").AppendLine();
            foreach (var error in Errors)
            {
                text.Append("  ").AppendLine(error.ToString());
            }

            if (ErrorCount > Errors.Count)
            {
                text.Append("  … and ").Append(ErrorCount - Errors.Count).AppendLine(" more.");
            }
        }

        foreach (var note in Notes)
        {
            text.Append("note: ").AppendLine(note);
        }

        return text.ToString();
    }
}

/// <summary>Collects errors; keeps the first <see cref="MaxListed"/> so that a file of a million bad rows cannot exhaust memory.</summary>
public sealed class ImportErrors
{
    public const int MaxListed = 1000;

    private readonly List<ImportError> _listed = [];

    public int Count { get; private set; }

    public IReadOnlyList<ImportError> Listed => _listed;

    public void Add(int? row, string? column, string reason)
    {
        Count++;
        if (_listed.Count < MaxListed)
        {
            _listed.Add(new ImportError(row, column, reason));
        }
    }
}
