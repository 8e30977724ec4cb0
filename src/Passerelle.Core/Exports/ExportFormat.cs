namespace Passerelle.Core.Exports;

/// <summary>The file formats of the open-data exports.</summary>
public enum ExportFormat
{
    Csv = 1,
    Xlsx = 2,
    Json = 3,
    GeoJson = 4,
}

public static class ExportFormats
{
    /// <summary>The format named by a route's extension ("csv", "xlsx", "json", "geojson"), or null.</summary>
    public static ExportFormat? Parse(string? extension) => extension?.ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "xlsx" => ExportFormat.Xlsx,
        "json" => ExportFormat.Json,
        "geojson" => ExportFormat.GeoJson,
        _ => null,
    };

    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.Csv => "csv",
        ExportFormat.Xlsx => "xlsx",
        ExportFormat.Json => "json",
        _ => "geojson",
    };
}
