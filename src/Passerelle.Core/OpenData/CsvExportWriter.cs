namespace Passerelle.Core.OpenData;

/// <summary>Options of <see cref="CsvExportWriter"/>.</summary>
public sealed record CsvExportOptions
{
    /// <summary>
    /// Start the file with the UTF-8 byte order mark (default <c>true</c>). Excel opens a CSV without a BOM in the
    /// machine's ANSI code page (Windows-1252 in Western Europe), so "Région Grand Est" would show as "RÃ©gion Grand
    /// Est"; the BOM makes it read UTF-8. Tools that dislike a BOM (some Unix pipelines) can turn it off.
    /// </summary>
    public bool IncludeByteOrderMark { get; init; } = true;

    /// <summary>
    /// Start with the header line (default <c>true</c>). Without it (and without the byte order mark) the output is
    /// rows only: a run of a longer file's rows, as the parts of a published export are (ADR 39).
    /// </summary>
    public bool IncludeHeader { get; init; } = true;

    /// <summary>Chars buffered before an asynchronous write to the output (default 64 Ki).</summary>
    public int FlushThresholdChars { get; init; } = 64 * 1024;
}

/// <summary>
/// Writes rows as RFC 4180 CSV: UTF-8, comma separator, CRLF line ends, fields containing a comma, a quote, CR or LF
/// quoted with inner quotes doubled; numbers in the invariant culture (dot decimal), dates in ISO 8601; text cells
/// that a spreadsheet would run as a formula are neutralised (<see cref="FormulaInjectionGuard"/>).
/// </summary>
/// <remarks>Written by hand rather than with a CSV library: the format is small and this avoids per-cell strings for numbers.</remarks>
public sealed class CsvExportWriter(CsvExportOptions? options = null) : ITabularExportWriter
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private readonly CsvExportOptions _options = options ?? new CsvExportOptions();

    /// <inheritdoc />
    public string ContentType => "text/csv; charset=utf-8";

    /// <inheritdoc />
    public string FileExtension => ".csv";

    /// <inheritdoc />
    public async Task<ExportResult> WriteAsync<T>(
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerable<T> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count == 0)
        {
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        }

        if (_options.IncludeByteOrderMark)
        {
            await output.WriteAsync(Utf8Bom, cancellationToken);
        }

        using var buffer = new Utf8ChunkBuffer(output, _options.FlushThresholdChars);
        if (_options.IncludeHeader)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0)
                {
                    buffer.Append(',');
                }

                AppendText(buffer, columns[i].Header);
            }

            buffer.Append("\r\n");
        }

        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0)
                {
                    buffer.Append(',');
                }

                AppendValue(buffer, columns[i].Value(row));
            }

            buffer.Append("\r\n");
            count++;
            await buffer.FlushIfFullAsync(cancellationToken);
        }

        await buffer.FlushAsync(cancellationToken);
        await output.FlushAsync(cancellationToken);
        return new ExportResult(count);
    }

    private static void AppendValue(Utf8ChunkBuffer buffer, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                AppendText(buffer, s);
                return;
            case not null when ExportValues.IsNumber(value):
                // Numbers never need quoting (invariant culture: no comma) and are never neutralised.
                var span = buffer.GetSpan(64);
                if (ExportValues.TryFormatNumber(value, span, out var written))
                {
                    buffer.Advance(written);
                }

                return;
            default:
                AppendText(buffer, ExportValues.FormatText(value));
                return;
        }
    }

    private static void AppendText(Utf8ChunkBuffer buffer, string text)
    {
        var neutralise = FormulaInjectionGuard.NeedsNeutralising(text);
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            if (neutralise)
            {
                buffer.Append('\'');
            }

            buffer.Append(text);
            return;
        }

        buffer.Append('"');
        if (neutralise)
        {
            buffer.Append('\'');
        }

        buffer.AppendQuotedRest(text);
    }
}
