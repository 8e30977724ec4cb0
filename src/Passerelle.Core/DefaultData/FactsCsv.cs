using Passerelle.Core.OpenData;

namespace Passerelle.Core.DefaultData;

/// <summary>One row of a default-data facts file (data/default/project-facts.csv, extra-facts.csv) in the long format.</summary>
public sealed record FactRow(
    int Line,
    string Project,
    string Field,
    string Value,
    string SourceTitle,
    string? SourceUrl,
    string? SourceDate,
    string? Note);

/// <summary>
/// Reads the long-format facts CSV (project,field,value,source_title,source_url,source_date,note) with the
/// platform's one CSV reader (strict UTF-8, RFC 4180); its errors become default-data errors with file and line.
/// </summary>
public static class FactsCsv
{
    private static readonly string[] Header = ["project", "field", "value", "source_title", "source_url", "source_date", "note"];

    public static List<FactRow> Read(string path)
    {
        var file = Path.GetFileName(path);
        var rows = new List<FactRow>();
        try
        {
            using var stream = File.OpenRead(path);
            foreach (var row in new CsvTableReader(new CsvReadOptions { Delimiter = ',' }).ReadAsync(stream, file).ToBlockingEnumerable())
            {
                if (rows.Count == 0 && !row.Keys.SequenceEqual(Header))
                {
                    throw new DefaultDataException(file, 1, $"the header must be {string.Join(',', Header)}");
                }

                foreach (var column in Header.Take(4))
                {
                    if (string.IsNullOrWhiteSpace(row[column]))
                    {
                        throw new DefaultDataException(file, row.RowNumber, $"column '{column}' is empty");
                    }
                }

                rows.Add(new FactRow(row.RowNumber, row["project"].Trim(), row["field"].Trim(), row["value"].Trim(),
                    row["source_title"].Trim(), row.GetString("source_url"), row.GetString("source_date"), row.GetString("note")));
            }
        }
        catch (TableReadException e)
        {
            throw new DefaultDataException(file, e.Row, e.Column is null ? e.Reason : $"column '{e.Column}': {e.Reason}");
        }

        return rows;
    }
}
