namespace Passerelle.Core.OpenData;

/// <summary>
/// One column of a tabular export: a header shown to people and a function that reads the cell value from a row.
/// </summary>
/// <remarks>
/// The value is an <see cref="object"/> so that one column list serves every format: each writer decides how a
/// <see cref="decimal"/>, a <see cref="DateOnly"/> or a <see cref="string"/> is rendered (CSV text, a typed XLSX cell,
/// a JSON number...). <paramref name="Key"/> is the machine name used by JSON and GeoJSON; when absent it is the
/// camelCase form of the header ("Total budget (EUR)" becomes "totalBudgetEUR").
/// </remarks>
/// <param name="Header">Column header (CSV/XLSX header row).</param>
/// <param name="Value">Reads the cell value of a row; <c>null</c> gives an empty cell.</param>
/// <param name="Key">Property name in JSON/GeoJSON; defaults to <see cref="ExportNames.ToCamelCase"/> of the header.</param>
public sealed record ExportColumn<T>(string Header, Func<T, object?> Value, string? Key = null)
{
    /// <summary>The property name used by JSON-based writers.</summary>
    public string JsonKey => Key ?? ExportNames.ToCamelCase(Header);
}

/// <summary>What a writer did: rows written, and rows left out (GeoJSON rows without a usable location).</summary>
public sealed record ExportResult(long RowsWritten, long RowsSkipped = 0);

/// <summary>A writer of rows into one tabular file format.</summary>
public interface ITabularExportWriter
{
    /// <summary>The media type of the produced file, for HTTP responses.</summary>
    string ContentType { get; }

    /// <summary>The file extension, with its dot.</summary>
    string FileExtension { get; }

    /// <summary>
    /// Streams <paramref name="rows"/> to <paramref name="output"/>. Memory stays flat whatever the row count: output is
    /// flushed in bounded chunks with asynchronous writes only (ASP.NET Core forbids synchronous writes to a response body).
    /// The output stream is left open.
    /// </summary>
    Task<ExportResult> WriteAsync<T>(
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerable<T> rows,
        CancellationToken cancellationToken = default);
}
