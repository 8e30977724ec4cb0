using System.Text;

namespace Passerelle.Core.DefaultData;

/// <summary>One row of a facts file in the long format of ../shared/data/facts/projects.csv.</summary>
public sealed record FactRow(
    int Line,
    string Project,
    string Field,
    string Value,
    string SourceTitle,
    string? SourceUrl,
    string? SourceDate,
    string? Note);

/// <summary>Reads the long-format facts CSV (project,field,value,source_title,source_url,source_date,note).</summary>
public static class FactsCsv
{
    private static readonly string[] Header = ["project", "field", "value", "source_title", "source_url", "source_date", "note"];

    public static List<FactRow> Read(string path)
    {
        var file = Path.GetFileName(path);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            throw new DefaultDataException(file, null, "the file is not valid UTF-8");
        }

        var rows = new List<FactRow>();
        var records = Parse(text.TrimStart('\uFEFF'), file);
        if (records.Count == 0 || !records[0].Fields.SequenceEqual(Header))
        {
            throw new DefaultDataException(file, 1, $"the header must be {string.Join(',', Header)}");
        }

        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != Header.Length)
            {
                throw new DefaultDataException(file, line, $"expected {Header.Length} columns, found {fields.Count}");
            }

            for (var i = 0; i < 4; i++)
            {
                if (string.IsNullOrWhiteSpace(fields[i]))
                {
                    throw new DefaultDataException(file, line, $"column '{Header[i]}' is empty");
                }
            }

            rows.Add(new FactRow(line, fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim(),
                NullIfEmpty(fields[4]), NullIfEmpty(fields[5]), NullIfEmpty(fields[6])));
        }

        return rows;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<(int Line, List<string> Fields)> Parse(string text, string file)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add((recordLine, fields));
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }

            i++;
        }

        if (quoted)
        {
            throw new DefaultDataException(file, recordLine, "a quoted field is not closed");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        return records;
    }
}
