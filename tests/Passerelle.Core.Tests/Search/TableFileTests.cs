using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// The facet and sort arrays saved beside the index (ADR 7, "Restart"): a restart reads the arrays of the segments the
/// file holds from it and only the others from the index, and whatever it reads must equal the arrays loaded afresh
/// from the index, value for value; a file of other segments, damaged or cut short, is not used.
/// </summary>
public sealed class TableFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-tables-").FullName;

    private string Index => Path.Combine(_folder, "index");

    private string File => Path.Combine(Index, TableFile.FileName);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<SearchDocument> Projects(int first, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(first, count).Select(i => SnapshotReuseTests.Project(i, random))];
    }

    [Fact]
    public void Open_AfterAStop_EveryArrayFromTheFileEqualsAFreshLoad()
    {
        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(Projects(1, 300, seed: 1));
            Assert.Equal(0, engine.TableDocsFromFile);
        }

        Assert.True(System.IO.File.Exists(File));
        using var reopened = new SearchEngine(Index, indexingThreads: 1);
        var (reader, table, _) = reopened.Current;
        Assert.Equal(reader.MaxDoc, reopened.TableDocsFromFile);
        Assert.True(table.IsMapped);
        SnapshotReuseTests.AssertSame(new FacetTable(reader), table);
    }

    [Fact]
    public void Open_FromTheFile_ColumnsAreItsPagesAndOutliveItsReplacement()
    {
        var documents = Projects(1, 300, seed: 10).ToDictionary(d => d.Key);
        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(documents.Values);
        }

        using (var reopened = new SearchEngine(Index, indexingThreads: 1))
        {
            Assert.True(reopened.Current.Table.IsMapped);
            // An update copies the shared segments' values out of the mapped columns into the new snapshot's, then
            // the file is written again over the mapped one; the mapping goes once nothing holds it.
            var batch = Projects(301, 20, seed: 11);
            reopened.Update(batch, ["project:7"]);
            foreach (var d in batch)
            {
                documents[d.Key] = d;
            }

            documents.Remove("project:7");
            Assert.False(reopened.Current.Table.IsMapped);
            Assert.True(reopened.SaveTables());
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var (reader, table, _) = reopened.Current;
            SnapshotReuseTests.AssertSame(new FacetTable(reader), table);
            SnapshotReuseTests.AssertSameSearches(documents.Values, reopened);
        }

        // The file written over the mapped one is read (and mapped) by the next start.
        using var again = new SearchEngine(Index, indexingThreads: 1);
        Assert.True(again.Current.Table.IsMapped);
        Assert.Equal(again.Current.Reader.MaxDoc, again.TableDocsFromFile);
        SnapshotReuseTests.AssertSameSearches(documents.Values, again);
    }

    [Fact]
    public void Open_SegmentsAddedAfterTheFileWasSaved_LeadingOnesFromTheFileTheOthersFromTheIndex()
    {
        var documents = Projects(1, 300, seed: 2).ToDictionary(d => d.Key);
        var older = Path.Combine(_folder, "older.bin");
        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(documents.Values);
            Assert.True(engine.SaveTables());
            System.IO.File.Copy(File, older);
            // New documents, replaced ones and a deleted one, each update its own segment.
            foreach (var batch in new[] { Projects(301, 20, seed: 3), Projects(5, 3, seed: 4), Projects(321, 1, seed: 5) })
            {
                engine.Update(batch, ["project:9"]);
                foreach (var d in batch)
                {
                    documents[d.Key] = d;
                }
            }

            documents.Remove("project:9");
        }

        // As after a stop that could not save (a crash): the file holds only the segments of the rebuild.
        System.IO.File.Copy(older, File, overwrite: true);
        using var reopened = new SearchEngine(Index, indexingThreads: 1);
        var (reader, table, _) = reopened.Current;
        Assert.InRange(reopened.TableDocsFromFile, 300, reader.MaxDoc - 1);
        SnapshotReuseTests.AssertSame(new FacetTable(reader), table);

        SnapshotReuseTests.AssertSameSearches(documents.Values, reopened);
    }

    [Fact]
    public void Open_FileOfAnotherIndex_NotUsed()
    {
        var other = Path.Combine(_folder, "other");
        using (var engine = new SearchEngine(other, indexingThreads: 1))
        {
            engine.Rebuild(Projects(1, 300, seed: 6));
        }

        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(Projects(1000, 300, seed: 7));
        }

        // Same segment names and document counts, other documents.
        System.IO.File.Copy(Path.Combine(other, TableFile.FileName), File, overwrite: true);
        using var reopened = new SearchEngine(Index, indexingThreads: 1);
        Assert.Equal(0, reopened.TableDocsFromFile);
        var (reader, table, _) = reopened.Current;
        SnapshotReuseTests.AssertSame(new FacetTable(reader), table);
    }

    [Theory]
    [InlineData("cut")]
    [InlineData("garbled")]
    [InlineData("empty")]
    [InlineData("flipped")]
    public void Open_DamagedFile_ArraysReadFromTheIndex(string damage)
    {
        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(Projects(1, 300, seed: 8));
        }

        var bytes = System.IO.File.ReadAllBytes(File);
        System.IO.File.WriteAllBytes(File, damage switch
        {
            "cut" => bytes[..(bytes.Length * 2 / 3)],
            // The segments' key intact, the arrays' lengths not.
            "garbled" => [.. bytes[..(bytes.Length / 2)], .. Enumerable.Repeat((byte)0xFF, bytes.Length - bytes.Length / 2)],
            // One bit of an array's data, lengths and structure intact: only the hash tells.
            "flipped" => [.. bytes[..(bytes.Length * 3 / 4)], (byte)(bytes[bytes.Length * 3 / 4] ^ 1), .. bytes[(bytes.Length * 3 / 4 + 1)..]],
            _ => [],
        });

        using var reopened = new SearchEngine(Index, indexingThreads: 1);
        Assert.Equal(0, reopened.TableDocsFromFile);
        var (reader, table, _) = reopened.Current;
        SnapshotReuseTests.AssertSame(new FacetTable(reader), table);
        Assert.Equal(300, reopened.Search(new SearchQuery(null)).Total);
    }

    [Fact]
    public void FacetTable_FromArraysWhereOneDimensionDisagrees_Refused()
    {
        using var engine = new SearchEngine(Index, indexingThreads: 1);
        engine.Rebuild(Projects(1, 300, seed: 9));
        var (reader, _, _) = engine.Current;
        var fresh = new FacetTable(reader);
        var single = Array.FindIndex(fresh.Dims, d => d.Single is not null);
        var multi = Array.FindIndex(fresh.Dims, d => d.Multi is { Length: > 0 });
        Assert.True(single >= 0 && multi >= 0, "the test data has a single-valued and a multi-valued dimension");

        FacetTable From(int changed, FacetDim dim) => new(
            fresh.MaxDoc, [.. fresh.Dims.Select((d, i) => i == changed ? dim : d)], fresh.DimBase, fresh.PackedOffsets,
            fresh.Packed16, fresh.Packed32, fresh.Start, fresh.Budget, fresh.Sequence);
        FacetDim With(FacetDim d, string[]? values = null, Column<short>? single = null, Column<short>? multi = null) =>
            d.Single is not null
                ? FacetDim.Of(values ?? d.Values, single ?? d.Single, null, null, d.ValuesAfterLeaf)
                : FacetDim.Of(values ?? d.Values, null, d.Offsets, multi ?? d.Multi, d.ValuesAfterLeaf);

        // The arrays as they are: taken.
        SnapshotReuseTests.AssertSame(fresh, From(single, With(fresh.Dims[single])));
        // One document short, one value short, one label more than the numbering gives the dimension: refused.
        Assert.Throws<FormatException>(() => From(single, With(fresh.Dims[single], single: fresh.Dims[single].Single![..^1])));
        Assert.Throws<FormatException>(() => From(multi, With(fresh.Dims[multi], multi: fresh.Dims[multi].Multi![..^1])));
        Assert.Throws<FormatException>(() => From(single, With(fresh.Dims[single], values: [.. fresh.Dims[single].Values, "one more"])));
    }

    [Fact]
    public void SaveTables_OnlyWhenTheArraysChanged_WritesTheFile()
    {
        using var engine = new SearchEngine(Index, indexingThreads: 1);
        engine.Rebuild(Projects(1, 50, seed: 9));
        Assert.True(engine.SaveTables());
        Assert.False(engine.SaveTables());
        engine.Update(Projects(51, 1, seed: 10), []);
        Assert.True(engine.SaveTables());
        Assert.False(System.IO.File.Exists(File + ".tmp"));

        using var inMemory = new SearchEngine(indexingThreads: 1);
        inMemory.Rebuild(Projects(1, 5, seed: 11));
        Assert.False(inMemory.SaveTables());
    }

    [Fact]
    public void Open_Create_DeletesTheFile()
    {
        using (var engine = new SearchEngine(Index, indexingThreads: 1))
        {
            engine.Rebuild(Projects(1, 30, seed: 12));
        }

        Assert.True(System.IO.File.Exists(File));
        using var created = new SearchEngine(Index, indexingThreads: 1, create: true);
        Assert.False(System.IO.File.Exists(File));
        Assert.Equal(0, created.DocumentCount);
    }
}
