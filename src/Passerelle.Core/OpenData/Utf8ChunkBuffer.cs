using System.Buffers;
using System.Text;

namespace Passerelle.Core.OpenData;

/// <summary>
/// A bounded char buffer that is encoded to UTF-8 and written asynchronously to the output once it passes a threshold.
/// </summary>
/// <remarks>
/// <see cref="StreamWriter"/> would flush synchronously when its buffer fills, and ASP.NET Core rejects synchronous
/// writes to a response body; here every write to the output is asynchronous and happens between rows, so memory is
/// one chunk (plus the longest row) whatever the row count.
/// </remarks>
internal sealed class Utf8ChunkBuffer : IDisposable
{
    private readonly Stream _output;
    private readonly int _threshold;
    private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
    private char[] _chars;
    private byte[] _bytes;
    private int _length;

    public Utf8ChunkBuffer(Stream output, int threshold)
    {
        _output = output;
        _threshold = threshold;
        _chars = ArrayPool<char>.Shared.Rent(threshold + 1024);
        _bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(_chars.Length));
    }

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>The text with each double quote doubled, then a closing quote: the rest of an RFC 4180 quoted field.</summary>
    public void AppendQuotedRest(ReadOnlySpan<char> text)
    {
        int quote;
        while ((quote = text.IndexOf('"')) >= 0)
        {
            Append(text[..(quote + 1)]);
            Append('"');
            text = text[(quote + 1)..];
        }

        Append(text);
        Append('"');
    }

    /// <summary>Room for <paramref name="size"/> chars to be written in place, then <see cref="Advance"/>.</summary>
    public Span<char> GetSpan(int size)
    {
        if (_length + size > _chars.Length)
        {
            Grow(size);
        }

        return _chars.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        _length >= _threshold ? new ValueTask(FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0)
        {
            return;
        }

        // flush: false keeps a trailing high surrogate for the next chunk instead of replacing it.
        var byteCount = _encoder.GetBytes(_chars, 0, _length, _bytes, 0, flush: false);
        _length = 0;
        await _output.WriteAsync(_bytes.AsMemory(0, byteCount), cancellationToken);
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<byte>.Shared.Return(_bytes);
        _chars = [];
        _bytes = [];
    }

    private void Grow(int needed)
    {
        // Only a single huge cell gets here; the buffer shrinks back to pool size at the next writer.
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + needed));
        _chars.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_chars);
        _chars = bigger;
        var biggerBytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(_chars.Length));
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = biggerBytes;
    }
}
