using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Passerelle.Core.Search;

/// <summary>
/// The table file's checksum (<see cref="TableFile"/>), checked over the whole file before any column is trusted, at
/// every start. Four CRC-32C lanes take the file's 8-byte words in turn (word i to lane i mod 4), so the processor's CRC
/// unit runs four independent chains (about 20 GB/s here); the last bytes short of a 32-byte block go to the first lane
/// one by one, and the length is mixed in. It replaced XXH3 (System.IO.Hashing), equally fast once compiled, but a
/// restart ran its first and only call in the JIT's first, unoptimised tier (its vector code is not precompiled):
/// 0.1 s more per start at 2 M (ADR 36, "At 2 M, what the start's path still paid for"). This method is compiled optimised at
/// its first call. It detects damage, not tampering.
/// </summary>
internal sealed class TableChecksum
{
    private const int Block = 32;
    private readonly byte[] _pending = new byte[Block];
    private int _pendingLength;
    private long _length;
    private uint _a;
    private uint _b;
    private uint _c;
    private uint _d;

    public void Append(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        if (_pendingLength > 0)
        {
            var take = Math.Min(Block - _pendingLength, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < Block)
            {
                return;
            }

            Blocks(_pending, ref _a, ref _b, ref _c, ref _d);
            _pendingLength = 0;
        }

        var whole = data.Length & ~(Block - 1);
        Blocks(data[..whole], ref _a, ref _b, ref _c, ref _d);
        data[whole..].CopyTo(_pending);
        _pendingLength = data.Length - whole;
    }

    /// <summary>The checksum of every byte appended so far (more may be appended after).</summary>
    public ulong Value
    {
        get
        {
            var a = _a;
            foreach (var b in _pending.AsSpan(0, _pendingLength))
            {
                a = BitOperations.Crc32C(a, b);
            }

            var high = a ^ BitOperations.RotateLeft(_c, 13);
            var low = _b ^ BitOperations.RotateLeft(_d, 7);
            return (((ulong)high << 32) | low) ^ (ulong)_length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks(ReadOnlySpan<byte> data, ref uint a, ref uint b, ref uint c, ref uint d)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        var (wa, wb, wc, wd) = (a, b, c, d);
        for (var i = 0; i + 3 < words.Length; i += 4)
        {
            wa = BitOperations.Crc32C(wa, words[i]);
            wb = BitOperations.Crc32C(wb, words[i + 1]);
            wc = BitOperations.Crc32C(wc, words[i + 2]);
            wd = BitOperations.Crc32C(wd, words[i + 3]);
        }

        (a, b, c, d) = (wa, wb, wc, wd);
    }
}
