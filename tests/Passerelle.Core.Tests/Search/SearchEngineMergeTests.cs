using System.Text.Json;

using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// A large rebuild serves its segments as they were written and merges them afterwards, beside searches and updates
/// (ADR 7, "Rebuild"): before and after the merge a search answers exactly what the index built in one segment answers.
/// </summary>
public sealed class SearchEngineMergeTests : IDisposable
{
    private const int Documents = 700;

    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-merge-").FullName;

    private static readonly SearchQuery[] Queries =
    [
        new(null, PageSize: 1_000),
        new("water", PageSize: 50),
        new("energy", new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Country] = ["BE"] }, PageSize: 50),
        new(null, new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Theme] = ["health"] }, SearchSort.BudgetDesc, PageSize: 100),
    ];

    private static List<SearchDocument> Projects()
    {
        var random = new Random(5);
        return [.. Enumerable.Range(1, Documents).Select(i => SnapshotReuseTests.Project(i, random))];
    }

    // Several indexing threads and a segment every 40 documents: many segments, as at 2 M with its memory buffer.
    private static SearchEngine Engine(string? path = null) =>
        new(path, indexingThreads: 2, create: false, concurrentSearches: null, flushEveryDocs: 40) { MergeLaterFrom = 0 };

    private static string Answers(SearchEngine engine) =>
        string.Join('\n', Queries.Select(q => engine.Search(q)).Select(r =>
            $"{r.Total}: {string.Join(' ', r.Items.Select(i => i.Slug))} {JsonSerializer.Serialize(r.Facets)}"));

    [Fact]
    public void Rebuild_MergeLater_ServesTheSegmentsAndMergeSegmentsLeavesOneWithTheSameAnswers()
    {
        using var merged = Engine();
        merged.Rebuild(Projects());
        Assert.Single(merged.Current.Reader.Leaves);

        using var engine = Engine();
        engine.Rebuild(Projects(), mergeLater: true);

        var segments = engine.Current.Reader.Leaves.Count;
        Assert.True(segments > 1, $"{segments} segment(s)");
        Assert.Equal(Documents, engine.DocumentCount);
        Assert.Equal(Answers(merged), Answers(engine));

        Assert.Equal(segments, engine.MergeSegments());
        Assert.Single(engine.Current.Reader.Leaves);
        Assert.Equal(Answers(merged), Answers(engine));
        Assert.Equal(0, engine.MergeSegments());
    }

    [Fact]
    public void Rebuild_MergeLaterBelowTheThreshold_MergesBeforeItServes()
    {
        using var engine = Engine();
        engine.MergeLaterFrom = Documents + 1;

        engine.Rebuild(Projects(), mergeLater: true);

        Assert.Single(engine.Current.Reader.Leaves);
        Assert.Equal(0, engine.MergeSegments());
    }

    [Fact]
    public void MergeSegments_UpdatesAfterTheRebuild_AreInTheMergedIndex()
    {
        using var engine = Engine();
        engine.Rebuild(Projects(), mergeLater: true);
        var changed = SnapshotReuseTests.Project(7, new Random(1)) with
        {
            Title = new Passerelle.Core.Common.LocalizedText { En = "polypharmacy" },
        };
        engine.Update([changed], ["project:8"]);

        Assert.True(engine.MergeSegments() > 1);

        Assert.Single(engine.Current.Reader.Leaves);
        Assert.Equal(Documents - 1, engine.DocumentCount);
        Assert.Equal(["p7"], engine.Search(new SearchQuery("polypharmacy")).Items.Select(i => i.Slug));
        Assert.DoesNotContain(engine.Search(new SearchQuery(null, PageSize: 1_000)).Items, i => i.Slug == "p8");
    }

    [Fact]
    public async Task Dispose_DuringMergeSegments_LeavesEveryDocumentOnDisk()
    {
        // The stop comes before, during or after the merge, as the rounds' delays and the threads fall; each must end
        // the merge without an exception and leave every document in the folder.
        int[] delays = [0, 1, 2, 5, 10, 20, 40];
        for (var round = 0; round < delays.Length; round++)
        {
            var folder = Path.Combine(_folder, round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var engine = Engine(folder);
            engine.Rebuild(Projects(), mergeLater: true);
            var merging = Task.Run(engine.MergeSegments, TestContext.Current.CancellationToken);
            await Task.Delay(delays[round], TestContext.Current.CancellationToken);

            engine.Dispose();
            var merged = await merging;

            using var reopened = new SearchEngine(folder);
            Assert.Equal(Documents, reopened.DocumentCount);
            Assert.Equal(Documents, reopened.Search(new SearchQuery(null, PageSize: 1)).Total);
            Assert.True(merged == 0 || reopened.Current.Reader.Leaves.Count == 1, $"round {round}: {merged} merged");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
