namespace Passerelle.Core.OpenData;

/// <summary>
/// A write-only, non-seekable stream that collects synchronous writes in memory until <see cref="DrainAsync"/>
/// moves them to the real output with an asynchronous write.
/// </summary>
/// <remarks>
/// <see cref="System.IO.Compression.ZipArchive"/> writes synchronously in places even through its .NET 10 async API
/// (disposing an entry stream flushes its DeflateStream with a synchronous Write), and ASP.NET Core rejects synchronous
/// writes to a response body. The archive writes here instead; the caller drains after each chunk of rows, so the
/// buffer holds one chunk of compressed output at most. Being non-seekable, it also makes the archive use data
/// descriptors rather than seeking back to patch local headers.
/// </remarks>
internal sealed class AsyncDrainStream(Stream output) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _position;

    /// <summary>Bytes waiting for <see cref="DrainAsync"/>.</summary>
    public long PendingBytes => _pending.Length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        await output.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _position += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
