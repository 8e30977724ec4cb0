using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

using Lucene.Net.Index;

namespace Passerelle.Core.Search;

/// <summary>
/// The facet and sort arrays of a snapshot (<see cref="FacetTable"/>) saved beside the index, so that a restart reads
/// them back in one sequential read instead of decoding every document's doc values again (2 M projects: about 1.5 s of
/// a restart's first search, issue 17; ADR 7, "Restart").
/// </summary>
/// <remarks>
/// The file names the segments its arrays were read from (name, documents, the segment files' size and the flush
/// time Lucene records). Lucene never changes a segment's documents or doc values once written, only its deletions,
/// which the arrays do not hold. So the arrays of the leading segments a reader shares with the file are the file's:
/// they are used as the previous snapshot's are after an update (<see cref="SharedSegments"/>), and only the
/// segments after them are read from the index. A file that is missing, of another layout, cut short or of other
/// segments is simply not used: the arrays are read from the index, as without it.
/// </remarks>
internal static class TableFile
{
    public const string FileName = "passerelle-tables.bin";

    // Bump when the layout or the meaning of an array changes: a file of another version is not read.
    private const int Layout = 1;
    private static ReadOnlySpan<byte> Magic => "PSTABLES"u8;

    /// <summary>What identifies one segment's documents: the same key, the same doc values.</summary>
    internal readonly record struct LeafKey(string Name, int MaxDoc, long Bytes, string Flushed)
    {
        public static LeafKey Of(AtomicReader reader)
        {
            if (reader is not SegmentReader segment)
            {
                // Not a segment of an index on disk (a test's wrapped reader): never matched.
                return new LeafKey("", reader.MaxDoc, -1, "");
            }

            var info = segment.SegmentInfo.Info;
            var bytes = 0L;
            foreach (var file in info.GetFiles())
            {
                bytes += segment.Directory.FileLength(file);
            }

            return new LeafKey(info.Name, info.DocCount, bytes,
                info.Diagnostics is { } d && d.TryGetValue("timestamp", out var t) ? t ?? "" : "");
        }
    }

    public static List<LeafKey> Keys(IndexReader reader) => [.. reader.Leaves.Select(l => LeafKey.Of(l.AtomicReader))];

    /// <summary>
    /// Writes <paramref name="table"/>, read from <paramref name="reader"/>, to <paramref name="path"/>: to a temporary
    /// file first, renamed over the old one when complete, so a crash leaves the old file or none, never half of one.
    /// </summary>
    public static void Save(string path, IndexReader reader, FacetTable table)
    {
        var keys = Keys(reader);
        if (keys.Any(k => k.Bytes < 0))
        {
            return;
        }

        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var stream = new HashingStream(file))
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Layout);
            w.Write(keys.Count);
            foreach (var key in keys)
            {
                w.Write(key.Name);
                w.Write(key.MaxDoc);
                w.Write(key.Bytes);
                w.Write(key.Flushed);
            }

            w.Write(table.MaxDoc);
            w.Write(table.Dims.Length);
            foreach (var dim in table.Dims)
            {
                w.Write(dim.Values.Length);
                foreach (var value in dim.Values)
                {
                    w.Write(value);
                }

                Write(w, dim.ValuesAfterLeaf);
                w.Write(dim.Single is not null);
                if (dim.Single is { } single)
                {
                    Write(w, single);
                }
                else
                {
                    Write(w, dim.Offsets!);
                    Write(w, dim.Multi!);
                }
            }

            Write(w, table.DimBase);
            Write(w, table.PackedOffsets);
            w.Write(table.Packed16 is not null);
            if (table.Packed16 is { } packed16)
            {
                Write(w, packed16);
            }
            else
            {
                Write(w, table.Packed32!);
            }

            Write(w, table.Start);
            Write(w, table.Budget);
            Write(w, table.Sequence);
            w.Flush();
            // The hash of everything before it: a file damaged after it was written is not read.
            file.Write(BitConverter.GetBytes(stream.Hash.GetCurrentHashAsUInt64()));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The table saved in <paramref name="path"/> and the leading segments of <paramref name="reader"/> it holds, or
    /// null when there is no usable file (none, another layout, cut short, or no leading segment in common).
    /// </summary>
    public static (FacetTable Table, SharedSegments Shared)? Load(string path, IndexReader reader)
    {
        if (!BitConverter.IsLittleEndian || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var stream = new HashingStream(file);
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || r.ReadInt32() != Layout)
            {
                return null;
            }

            var keys = new LeafKey[Count(r, 1 << 20)];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = new LeafKey(r.ReadString(), r.ReadInt32(), r.ReadInt64(), r.ReadString());
            }

            // The leading segments in common; nothing else is read when there are none.
            var current = Keys(reader);
            var (leaves, docs) = (0, 0);
            while (leaves < keys.Length && leaves < current.Count && keys[leaves] == current[leaves] && current[leaves].Bytes >= 0)
            {
                docs += current[leaves].MaxDoc;
                leaves++;
            }

            if (leaves == 0)
            {
                return null;
            }

            var maxDoc = r.ReadInt32();
            var dims = new FacetDim[Count(r, 1 << 10)];
            if (dims.Length != SearchFacets.All.Count)
            {
                return null;
            }

            for (var d = 0; d < dims.Length; d++)
            {
                var values = new string[Count(r, 1 << 16)];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = r.ReadString();
                }

                var valuesAfterLeaf = Read<int>(r);
                dims[d] = r.ReadBoolean()
                    ? FacetDim.Of(values, Read<short>(r), null, null, valuesAfterLeaf)
                    : FacetDim.Of(values, null, Read<int>(r), Read<short>(r), valuesAfterLeaf);
            }

            var dimBase = Read<int>(r);
            var packedOffsets = Read<int>(r);
            var (packed16, packed32) = r.ReadBoolean() ? (Read<ushort>(r), (int[]?)null) : ((ushort[]?)null, Read<int>(r));
            var (start, budget, sequence) = (Read<int>(r), Read<long>(r), Read<long>(r));
            var hash = stream.Hash.GetCurrentHashAsUInt64();
            Span<byte> saved8 = stackalloc byte[8];
            file.ReadExactly(saved8);
            if (BitConverter.ToUInt64(saved8) != hash || file.Position != file.Length || docs > maxDoc)
            {
                return null;
            }

            var table = new FacetTable(maxDoc, dims, dimBase, packedOffsets, packed16, packed32, start, budget, sequence);

            return (table, new SharedSegments(leaves, docs));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A file cut short, damaged or unreadable, whatever the exception: the arrays are read from the index. A
            // throw here would make the index itself look unreadable, and it would be rebuilt.
            return null;
        }
    }

    private static void Write<T>(BinaryWriter w, T[] array) where T : unmanaged
    {
        w.Write(array.Length);
        w.Write(MemoryMarshal.AsBytes(array.AsSpan()));
    }

    private static T[] Read<T>(BinaryReader r) where T : unmanaged
    {
        var length = Count(r, Array.MaxLength / 8);
        var array = GC.AllocateUninitializedArray<T>(length);
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }

    /// <summary>Passes reads or writes through to a stream and hashes every byte (XXH3, tens of GB/s: a few ms a restart).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        public XxHash3 Hash { get; } = new();

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            Hash.Append(buffer[..n]);
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Hash.Append(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static int Count(BinaryReader r, int max)
    {
        var count = r.ReadInt32();
        return count >= 0 && count <= max ? count : throw new FormatException($"a count of {count} in the table file");
    }
}
