using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// The table file's checksum (ADR 36): the writer appends as it writes, in pieces of any size, and the reader appends
/// the mapped file at once, so both must agree; and a changed byte anywhere, the tail short of a block included, or
/// trailing zeros, must change it.
/// </summary>
public sealed class TableChecksumTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var checksum = new TableChecksum();
        checksum.Append(bytes);
        return checksum.Value;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(100_003)]
    public void Append_InPiecesOfAnySize_EqualsOneAppend(int length)
    {
        var bytes = Bytes(length, seed: length);
        var random = new Random(7);
        var pieces = new TableChecksum();
        for (var at = 0; at < length;)
        {
            var take = Math.Min(length - at, random.Next(0, 70));
            pieces.Append(bytes.AsSpan(at, take));
            at += take;
        }

        Assert.Equal(Of(bytes), pieces.Value);
    }

    [Fact]
    public void Value_OneBitFlippedAnywhere_Differs()
    {
        // 1,000 bytes: 31 whole blocks and a tail of 8, so every lane and the tail are flipped in turn.
        var bytes = Bytes(1000, seed: 3);
        var original = Of(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= (byte)(1 << (i % 8));
            Assert.NotEqual(original, Of(bytes));
            bytes[i] ^= (byte)(1 << (i % 8));
        }

        Assert.Equal(original, Of(bytes));
    }

    [Fact]
    public void Value_ZerosAppended_Differs()
    {
        var zeros = new byte[64];
        Assert.NotEqual(Of(zeros.AsSpan(0, 32)), Of(zeros));
        Assert.NotEqual(Of([]), Of(zeros.AsSpan(0, 1)));
    }

    [Fact]
    public void Value_ReadTwice_TheSameAndAppendingContinues()
    {
        var bytes = Bytes(100, seed: 5);
        var checksum = new TableChecksum();
        checksum.Append(bytes.AsSpan(0, 50));
        Assert.Equal(checksum.Value, checksum.Value);
        checksum.Append(bytes.AsSpan(50));
        Assert.Equal(Of(bytes), checksum.Value);
    }
}
