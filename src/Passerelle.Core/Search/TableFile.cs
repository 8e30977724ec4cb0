using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

using Lucene.Net.Index;

namespace Passerelle.Core.Search;

/// <summary>
/// The facet and sort arrays of a snapshot (<see cref="FacetTable"/>) saved beside the index, so that a restart maps
/// them instead of decoding every document's doc values again (2 M projects: about 1.5 s of a restart's first search,
/// issue 17; ADR 7, "Restart" and "the table file mapped").
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
    // 3: the checksum is TableChecksum's (XXH3 before).
    private const int Layout = 3;
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
    /// A snapshot that still maps the old file keeps reading it: the rename leaves its pages to the mapping.
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

                Write(w, stream, dim.ValuesAfterLeaf);
                w.Write(dim.Single is not null);
                if (dim.Single is { } single)
                {
                    Write(w, stream, single.Span);
                }
                else
                {
                    Write(w, stream, dim.Offsets!.Span);
                    Write(w, stream, dim.Multi!.Span);
                }
            }

            Write(w, stream, table.DimBase);
            Write(w, stream, table.PackedOffsets.Span);
            w.Write(table.Packed16 is not null);
            if (table.Packed16 is { } packed16)
            {
                Write(w, stream, packed16.Span);
            }
            else
            {
                Write(w, stream, table.Packed32!.Span);
            }

            Write(w, stream, table.Start.Span);
            Write(w, stream, table.Budget.Span);
            Write(w, stream, table.Sequence.Span);
            w.Flush();
            // The hash of everything before it: a file damaged after it was written is not read.
            file.Write(BitConverter.GetBytes(stream.Hash.Value));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The table saved in <paramref name="path"/> and the leading segments of <paramref name="reader"/> it holds, or
    /// null when there is no usable file (none, another layout, cut short, damaged, or no leading segment in common).
    /// The file is mapped, not read: the table's large columns are its pages (<see cref="Column{T}"/>). Copying
    /// 194 MB into fresh heap memory took 0.3-1.6 s of a 2 M restart on this project's machines, most of it the first
    /// touch of each new page; mapping pages the kernel already caches took tens of milliseconds (ADR 7, "the table
    /// file mapped").
    /// </summary>
    public static (FacetTable Table, SharedSegments Shared)? Load(string path, IndexReader reader)
    {
        if (!BitConverter.IsLittleEndian || !File.Exists(path))
        {
            return null;
        }

        Mapping? mapping = null;
        try
        {
            mapping = Mapping.Open(path);
            var result = Read(mapping, reader);
            if (result is null)
            {
                mapping.Release();
            }

            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A file cut short, damaged or unreadable, whatever the exception: the arrays are read from the index. A
            // throw here would make the index itself look unreadable, and it would be rebuilt.
            mapping?.Release();
            return null;
        }
    }

    private static unsafe (FacetTable Table, SharedSegments Shared)? Read(Mapping mapping, IndexReader reader)
    {
        using var stream = new UnmanagedMemoryStream(mapping.Pointer, mapping.Length);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (mapping.Length < Magic.Length + 4 + 8 || !r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || r.ReadInt32() != Layout)
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

        // The hash of everything before its last 8 bytes, before any column is trusted.
        var hashed = mapping.Length - 8;
        var hash = new TableChecksum();
        for (var at = 0L; at < hashed; at += 1 << 30)
        {
            hash.Append(mapping.Bytes(at, (int)Math.Min(1 << 30, hashed - at)));
        }

        if (hash.Value != BitConverter.ToUInt64(mapping.Bytes(hashed, 8)))
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

            var valuesAfterLeaf = Map<int>(r, mapping).ToArray();
            dims[d] = r.ReadBoolean()
                ? FacetDim.Of(values, Map<short>(r, mapping), null, null, valuesAfterLeaf)
                : FacetDim.Of(values, null, Map<int>(r, mapping), Map<short>(r, mapping), valuesAfterLeaf);
        }

        var dimBase = Map<int>(r, mapping).ToArray();
        var packedOffsets = Map<int>(r, mapping);
        var (packed16, packed32) = r.ReadBoolean() ? (Map<ushort>(r, mapping), null) : ((Column<ushort>?)null, (Column<int>?)Map<int>(r, mapping));
        var (start, budget, sequence) = (Map<int>(r, mapping), Map<long>(r, mapping), Map<long>(r, mapping));
        if (stream.Position != hashed || docs > maxDoc)
        {
            return null;
        }

        var table = new FacetTable(maxDoc, dims, dimBase, packedOffsets, packed16, packed32, start, budget, sequence);
        return (table, new SharedSegments(leaves, docs));
    }

    // Each array starts on a multiple of 8 bytes of the file (and so of the mapping, which starts on a page): a column
    // of longs is read in place, aligned.
    private const int Alignment = 8;

    private static void Write<T>(BinaryWriter w, HashingStream stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        w.Write(values.Length);
        w.Flush();
        Span<byte> padding = stackalloc byte[Alignment];
        padding.Clear();
        w.Write(padding[..(int)((Alignment - (stream.Written % Alignment)) % Alignment)]);
        w.Write(MemoryMarshal.AsBytes(values));
    }

    private static unsafe Column<T> Map<T>(BinaryReader r, Mapping mapping) where T : unmanaged
    {
        var length = Count(r, Array.MaxLength / 8);
        var stream = (UnmanagedMemoryStream)r.BaseStream;
        var at = stream.Position + ((Alignment - (stream.Position % Alignment)) % Alignment);
        var bytes = (long)length * sizeof(T);
        if (at + bytes > mapping.Length - 8)
        {
            throw new FormatException($"an array of {length} values past the table file's end");
        }

        stream.Position = at + bytes;
        return Column<T>.Mapped(mapping, (T*)(mapping.Pointer + at), length);
    }

    /// <summary>
    /// The table file mapped read-only. It stays mapped while any column of it is reachable: the columns hold it, and
    /// its finalizer unmaps it once none does (an unmapped page read by a search would end the process, where a
    /// disposed reader only throws).
    /// </summary>
    internal sealed unsafe class Mapping
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private int _released;

        private Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, long length)
        {
            (_file, _view, Length) = (file, view, length);
            Pointer = pointer;
        }

        public byte* Pointer { get; }
        public long Length { get; }

        public ReadOnlySpan<byte> Bytes(long at, int length) => new(Pointer + at, length);

        public static Mapping Open(string path)
        {
            var length = new FileInfo(path).Length;
            var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
                byte* pointer = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                return new Mapping(file, view, pointer + view.PointerOffset, length);
            }
            catch
            {
                view?.Dispose();
                file.Dispose();
                throw;
            }
        }

        /// <summary>Unmaps at once: only when no column of it was handed out.</summary>
        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                _view.Dispose();
                _file.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        ~Mapping()
        {
            // The view's handle is a critical finalizer, run after this one: the pointer's reference is given back
            // here, and the handle unmaps when it is finalized (or at once if it already was).
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }
    }

    /// <summary>Passes writes through to a stream and hashes every byte (<see cref="TableChecksum"/>).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        public TableChecksum Hash { get; } = new();

        /// <summary>The bytes written so far (where the next one goes in the file).</summary>
        public long Written { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Hash.Append(buffer);
            inner.Write(buffer);
            Written += buffer.Length;
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
