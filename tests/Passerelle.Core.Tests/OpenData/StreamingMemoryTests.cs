using Passerelle.Core.OpenData;

using static Passerelle.Core.Tests.OpenData.OpenDataTestSupport;

namespace Passerelle.Core.Tests.OpenData;

[CollectionDefinition(nameof(StreamingMemoryTests), DisableParallelization = true)]
public sealed class StreamingMemoryCollection;

/// <summary>
/// Managed heap after a full GC is sampled while the rows flow (not before/after, when everything is released anyway):
/// from row 10,000 to row 200,000 it must not grow by more than a few MB, and bytes must already have reached the
/// output half-way, so nothing accumulates in the writer.
/// </summary>
[Collection(nameof(StreamingMemoryTests))]
public sealed class StreamingMemoryTests
{
    private const int Rows = 200_000;
    private const long AllowedGrowthBytes = 4 * 1024 * 1024;

    [Theory]
    [InlineData("csv")]
    [InlineData("xlsx")]
    [InlineData("json")]
    [InlineData("geojson")]
    public async Task WriteAsync_200kRows_ManagedMemoryStaysFlat(string format)
    {
        var sink = new CountingSink(allowSynchronousWrites: false);
        var probe = new MemoryProbe(sink);
        var rows = probe.Watch(Generate(Rows));
        var token = TestContext.Current.CancellationToken;

        var result = format switch
        {
            "csv" => await new CsvExportWriter().WriteAsync(sink, Columns, rows, token),
            "xlsx" => await new XlsxExportWriter().WriteAsync(sink, Columns, rows, token),
            "json" => await new JsonExportWriter().WriteAsync(sink, Columns, rows, token),
            _ => await new GeoJsonExportWriter().WriteAsync(sink, Columns, p => new GeoPosition(p.Longitude!.Value, p.Latitude!.Value), rows, token),
        };

        Assert.Equal(Rows, result.RowsWritten);
        Assert.True(probe.BytesOutAtHalf > 0, "nothing reached the output by row 100,000: the writer buffers");
        var growth = probe.HeapAtEnd - probe.HeapAtStart;
        Assert.True(growth < AllowedGrowthBytes, $"{format}: managed heap grew by {growth:N0} bytes over {Rows:N0} rows (output {sink.BytesWritten:N0} bytes)");
    }

    private sealed class MemoryProbe(CountingSink sink)
    {
        public long HeapAtStart { get; private set; }

        public long HeapAtEnd { get; private set; }

        public long BytesOutAtHalf { get; private set; }

        public async IAsyncEnumerable<SampleProject> Watch(IAsyncEnumerable<SampleProject> rows)
        {
            var i = 0;
            await foreach (var row in rows)
            {
                switch (++i)
                {
                    case 10_000:
                        HeapAtStart = GC.GetTotalMemory(forceFullCollection: true);
                        break;
                    case Rows / 2:
                        BytesOutAtHalf = sink.BytesWritten;
                        break;
                    case Rows:
                        HeapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
                        break;
                }

                yield return row;
            }
        }
    }
}
