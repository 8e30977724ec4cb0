using System.Text.Json;

namespace Passerelle.Core.OpenData;

/// <summary>A WGS 84 position, longitude first as in GeoJSON.</summary>
public readonly record struct GeoPosition(double Longitude, double Latitude)
{
    /// <summary>Whether both coordinates are finite and within [-180, 180] × [-90, 90].</summary>
    public bool IsValid =>
        double.IsFinite(Longitude) && double.IsFinite(Latitude)
        && Longitude is >= -180 and <= 180 && Latitude is >= -90 and <= 90;
}

/// <summary>
/// Writes rows as an RFC 7946 GeoJSON FeatureCollection of Point features, properties from the columns.
/// </summary>
/// <remarks>
/// RFC 7946: coordinates are WGS 84 longitude then latitude (§3.1.1, §4), and the 2008 "crs" member is gone (§4), so
/// none is written. Rows whose location is null or out of range are not written and are counted in
/// <see cref="ExportResult.RowsSkipped"/>, so the caller can tell how many projects had no location.
/// </remarks>
public sealed class GeoJsonExportWriter(JsonExportOptions? options = null)
{
    private static readonly JsonEncodedText TypeKey = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText FeatureValue = JsonEncodedText.Encode("Feature");
    private static readonly JsonEncodedText GeometryKey = JsonEncodedText.Encode("geometry");
    private static readonly JsonEncodedText PointValue = JsonEncodedText.Encode("Point");
    private static readonly JsonEncodedText CoordinatesKey = JsonEncodedText.Encode("coordinates");
    private static readonly JsonEncodedText PropertiesKey = JsonEncodedText.Encode("properties");

    private readonly JsonExportOptions _options = options ?? new JsonExportOptions();

    /// <summary>The RFC 7946 media type.</summary>
    public string ContentType => "application/geo+json";

    /// <summary>The usual extension.</summary>
    public string FileExtension => ".geojson";

    /// <summary>Streams the rows that have a valid location as features; the output stream is left open.</summary>
    public async Task<ExportResult> WriteAsync<T>(
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        Func<T, GeoPosition?> location,
        IAsyncEnumerable<T> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(rows);
        var keys = JsonExport.EncodedKeys(columns);
        await using var json = JsonExport.CreateWriter(output, _options);
        json.WriteStartObject();
        json.WriteString(TypeKey, "FeatureCollection");
        json.WriteStartArray("features");
        long written = 0;
        long skipped = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (location(row) is not { IsValid: true } position)
            {
                skipped++;
                continue;
            }

            json.WriteStartObject();
            json.WriteString(TypeKey, FeatureValue);
            json.WriteStartObject(GeometryKey);
            json.WriteString(TypeKey, PointValue);
            json.WriteStartArray(CoordinatesKey);
            json.WriteNumberValue(position.Longitude);
            json.WriteNumberValue(position.Latitude);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject(PropertiesKey);
            JsonExport.WriteProperties(json, keys, columns, row);
            json.WriteEndObject();
            json.WriteEndObject();
            written++;
            if (json.BytesPending >= _options.FlushThresholdBytes)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        return new ExportResult(written, skipped);
    }
}
