using Passerelle.Core.OpenData;

namespace Passerelle.Core.Exports;

/// <summary>Picks the writer of a format and streams rows through it.</summary>
public static class ExportRunner
{
    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => new CsvExportWriter().ContentType,
        ExportFormat.Xlsx => new XlsxExportWriter().ContentType,
        ExportFormat.Json => new JsonExportWriter().ContentType,
        _ => new GeoJsonExportWriter().ContentType,
    };

    /// <summary>
    /// Streams <paramref name="rows"/> to <paramref name="output"/> in <paramref name="format"/>. GeoJSON needs
    /// <paramref name="location"/>; rows without one are skipped and counted in the result.
    /// </summary>
    public static Task<ExportResult> WriteAsync<T>(
        ExportFormat format,
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerable<T> rows,
        string sheetName,
        Func<T, GeoPosition?>? location = null,
        CancellationToken ct = default) => format switch
        {
            ExportFormat.Csv => new CsvExportWriter().WriteAsync(output, columns, rows, ct),
            ExportFormat.Xlsx => new XlsxExportWriter(new XlsxExportOptions { SheetName = sheetName }).WriteAsync(output, columns, rows, ct),
            ExportFormat.Json => new JsonExportWriter().WriteAsync(output, columns, rows, ct),
            _ => new GeoJsonExportWriter().WriteAsync(output, columns,
                location ?? throw new ArgumentException("GeoJSON needs a location.", nameof(location)), rows, ct),
        };

    /// <summary>A position from nullable coordinates: null unless both are known.</summary>
    public static GeoPosition? Position(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new GeoPosition(lon, lat) : null;
}
