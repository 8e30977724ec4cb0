using System.Diagnostics;
using System.IO.Compression;
using System.Text;

using Passerelle.Core.OpenData;

namespace Passerelle.Core.Tests.OpenData;

public sealed record SampleProject(
    string Acronym,
    string Title,
    decimal Budget,
    int Partners,
    double Rate,
    DateOnly Start,
    DateTime Updated,
    bool Closed,
    string? Note,
    double? Longitude = null,
    double? Latitude = null);

internal static class OpenDataTestSupport
{
    public static readonly IReadOnlyList<ExportColumn<SampleProject>> Columns =
    [
        new("Acronym", p => p.Acronym),
        new("Title", p => p.Title),
        new("Total budget (EUR)", p => p.Budget, "totalBudgetEur"),
        new("Partners", p => p.Partners),
        new("Rate", p => p.Rate),
        new("Start date", p => p.Start),
        new("Updated", p => p.Updated),
        new("Closed", p => p.Closed),
        new("Note", p => p.Note),
    ];

    public static readonly SampleProject[] TrickyRows =
    [
        new("ÉCO-Rhin", "Coopération transfrontalière, Région Grand Est", 1_234_567.89m, 5, 0.85,
            new DateOnly(2021, 1, 1), new DateTime(2024, 3, 1, 14, 30, 0, DateTimeKind.Utc), false, "simple"),
        new("QUOTE", "Le \"Rhin\" supérieur", -5m, 0, -0.5,
            new DateOnly(2014, 12, 31), new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Unspecified), true, "line one\r\nline two\nline three"),
        new("=1+1", "+33 3 88 00 00 00", 0.1m, 12, 1e-7,
            new DateOnly(2000, 2, 29), new DateTime(2023, 7, 14, 8, 0, 5, DateTimeKind.Utc), true, "@SUM(A1:A2)"),
        new("-5", "\tTabbed", 42m, 1, 3.14159,
            new DateOnly(2027, 6, 30), new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), false, null),
        new("ΑΒΓ 東京 😀", "Şırnak – Ústí nad Labem, \"quoted\", comma", 1000000m, 3, 2.5,
            new DateOnly(1999, 1, 1), new DateTime(2020, 2, 29, 23, 59, 59, DateTimeKind.Utc), false, "   spaced   "),
    ];

    public static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask;
    }

    /// <summary>Rows made on the fly, so that only the writer could hold them in memory.</summary>
    public static async IAsyncEnumerable<SampleProject> Generate(int count)
    {
        var start = new DateOnly(2021, 1, 1);
        var updated = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            if ((i & 1023) == 0)
            {
                await Task.Yield();
            }

            yield return new SampleProject(
                "P" + i, "Projet de coopération numéro " + i, i * 10.25m, i % 17, i / 3.0,
                start.AddDays(i % 3000), updated.AddSeconds(i), (i & 1) == 0, i % 5 == 0 ? null : "note",
                -10 + (i % 40), 35 + (i % 30));
        }
    }

    public static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), "passerelle-opendata-" + Guid.NewGuid().ToString("N") + extension);

    /// <summary>Runs a program and returns its standard output; fails the test with stderr when it exits non-zero.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>A write-only, non-seekable sink that counts bytes (like an HTTP response body without buffering).</summary>
internal sealed class CountingSink(bool allowSynchronousWrites = true) : Stream
{
    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    public MemoryStream? Copy { get; init; }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!allowSynchronousWrites)
        {
            throw new InvalidOperationException("Synchronous write (ASP.NET Core would reject it).");
        }

        Record(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Record(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Record(buffer.Span);
        return ValueTask.CompletedTask;
    }

    private void Record(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        Copy?.Write(buffer);
    }
}

/// <summary>A readable stream that hands out at most a few bytes per read, to test buffer boundaries.</summary>
internal sealed class TrickleStream(byte[] data, int chunk, bool seekable = false) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => seekable;

    public override bool CanWrite => false;

    public override long Length => seekable ? data.Length : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
