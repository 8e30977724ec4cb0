using System.Text.Json;
using System.Text.RegularExpressions;

using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

public sealed partial class GeoJsonExportWriterTests
{
    private static readonly SampleProject[] Located =
    [
        TrickyRows[0] with { Longitude = 7.75, Latitude = 48.58 }, // Strasbourg
        TrickyRows[1], // no location
        TrickyRows[2] with { Longitude = -8.61, Latitude = 41.15 }, // Porto
        TrickyRows[3] with { Longitude = 200, Latitude = 10 }, // out of range
        TrickyRows[4] with { Longitude = 24.94, Latitude = 60.17 }, // Helsinki
    ];

    private static GeoPosition? Location(SampleProject p) =>
        p is { Longitude: { } lon, Latitude: { } lat } ? new GeoPosition(lon, lat) : null;

    [Fact]
    public async Task WriteAsync_RowsWithAndWithoutLocation_WritesRfc7946FeaturesAndCountsSkipped()
    {
        var output = new MemoryStream();
        var result = await new GeoJsonExportWriter().WriteAsync(output, Columns, Location, ToAsync(Located), TestContext.Current.CancellationToken);

        Assert.Equal(new ExportResult(3, 2), result);
        using var json = JsonDocument.Parse(output.ToArray());
        var root = json.RootElement;
        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        Assert.False(root.TryGetProperty("crs", out _));
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(3, features.Count);
        var first = features[0];
        Assert.Equal("Feature", first.GetProperty("type").GetString());
        Assert.Equal("Point", first.GetProperty("geometry").GetProperty("type").GetString());
        var coordinates = first.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToList();
        Assert.Equal([7.75, 48.58], coordinates); // longitude first
        Assert.Equal("ÉCO-Rhin", first.GetProperty("properties").GetProperty("acronym").GetString());
        Assert.Equal(1234567.89m, first.GetProperty("properties").GetProperty("totalBudgetEur").GetDecimal());
    }

    [Fact]
    public async Task WriteAsync_ManyRows_OgrinfoReportsFeatureCount()
    {
        Assert.True(File.Exists("/usr/bin/ogrinfo"), "ogrinfo is missing: install gdal-bin (apt-get install gdal-bin)");
        var path = TempFile(".geojson");
        try
        {
            ExportResult result;
            await using (var file = File.Create(path))
            {
                result = await new GeoJsonExportWriter().WriteAsync(file, Columns, Location, Generate(1_000), TestContext.Current.CancellationToken);
            }

            var report = Run("/usr/bin/ogrinfo", "-ro", "-al", "-so", path);

            Assert.Equal(1_000, result.RowsWritten);
            Assert.Matches(FeatureCount(), report);
            Assert.Equal("1000", FeatureCount().Match(report).Groups[1].Value);
            Assert.Contains("Point", report, StringComparison.Ordinal);
            Assert.Contains("totalBudgetEur", report, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [GeneratedRegex(@"Feature Count: (\d+)")]
    private static partial Regex FeatureCount();
}
