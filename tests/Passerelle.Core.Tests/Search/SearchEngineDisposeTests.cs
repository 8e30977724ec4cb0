using Passerelle.Core.Search;

namespace Passerelle.Core.Tests.Search;

/// <summary>
/// Closing an index on disk while another thread changes it (a host is disposed from two threads at once under
/// WebApplicationFactory, ADR 38): the close waits for the change, which is committed, and a second close does nothing.
/// </summary>
public sealed class SearchEngineDisposeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-dispose-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Dispose_WhileARebuildReadsItsDocuments_WaitsForItAndTheRebuildIsKept()
    {
        var engine = new SearchEngine(_folder, indexingThreads: 1);
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        IEnumerable<SearchDocument> Documents()
        {
            var random = new Random(7);
            for (var i = 1; i <= 50; i++)
            {
                if (i == 25)
                {
                    reading.SetResult();
                    release.Task.Wait(TestContext.Current.CancellationToken);
                }

                yield return SnapshotReuseTests.Project(i, random);
            }
        }

        var rebuild = Task.Run(() => engine.Rebuild(Documents()), TestContext.Current.CancellationToken);
        await reading.Task.WaitAsync(TestContext.Current.CancellationToken);
        var closing = Task.Run(engine.Dispose, TestContext.Current.CancellationToken);

        // Bounded, not a timing check: closing under the rebuild would end it at once (and fail the rebuild).
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(closing.IsCompleted, "the engine closed while a rebuild was writing to it");

        release.SetResult();
        Assert.Equal(50, await rebuild);
        await closing;
        engine.Dispose();

        using var reopened = new SearchEngine(_folder, indexingThreads: 1);
        Assert.Equal(50, reopened.DocumentCount);
    }
}
