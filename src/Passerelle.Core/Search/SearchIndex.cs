using System.Globalization;

using Lucene.Net.Store;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Search;

public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>A folder for an on-disk index (relative to the content root); empty keeps the index in memory.</summary>
    public string? IndexPath { get; set; }

    /// <summary><see cref="IndexPath"/> made absolute against the content root; null for an in-memory index.</summary>
    public string? FullIndexPath { get; set; }

    /// <summary>
    /// Whether each index snapshot keeps parsed and rewritten queries by text (default true). Off only to measure
    /// cold searches (bench scale: issue 17's targets must hold without a cache warmed by the same query).
    /// </summary>
    public bool CacheQueries { get; set; } = true;

    /// <summary>
    /// Projects and organisations read per database round trip when the index is rebuilt (keyset by id): large enough
    /// that the round trips do not count, small enough that the pages in flight are a few megabytes.
    /// </summary>
    public int RebuildPageSize { get; set; } = 2_000;

    /// <summary>Segments a rebuild merges down to (<see cref="SearchEngine.RebuildSegments"/>); internal: bench index-build compares.</summary>
    internal int RebuildSegments { get; set; } = 1;

    /// <summary>The fewest documents whose rebuild serves before its final merge (<see cref="SearchEngine.MergeLaterFrom"/>); internal: tests lower it.</summary>
    internal int MergeLaterFrom { get; set; } = 50_000;

    /// <summary>A segment per this many documents (null: by memory); internal: tests get several segments from the seed.</summary>
    internal int? FlushEveryDocs { get; set; }
}

/// <summary>What changed in the registry, by record id; a change feed (the PostgreSQL issue) passes these on.</summary>
public sealed record SearchChanges(
    IReadOnlyCollection<int>? Programmes = null,
    IReadOnlyCollection<int>? Projects = null,
    IReadOnlyCollection<int>? Organisations = null,
    IReadOnlyCollection<int>? Groupings = null);

/// <summary>How this instance came by the index it serves.</summary>
public enum SearchIndexOpening
{
    /// <summary>Not opened yet.</summary>
    None = 0,

    /// <summary>Built from the database (no usable index on disk, or an "everything changed" entry in the feed).</summary>
    Rebuilt = 1,

    /// <summary>The index on disk matched the database and the feed had nothing newer: opened as it was.</summary>
    Reused = 2,

    /// <summary>The index on disk was opened and the feed entries written since were applied to it.</summary>
    CaughtUp = 3,
}

/// <summary>Search was asked for before the index was built or opened.</summary>
public sealed class SearchNotReadyException(string? reason)
    : NotReadyException(ServiceStatus.Search, ErrorCode, "The search index is being prepared" + (reason is null ? "." : $" ({reason})."))
{
    public new const string ErrorCode = "search_not_ready";
}

/// <summary>
/// The registry's search service: a <see cref="SearchEngine"/> fed from the database. <see cref="SearchIndexService"/>
/// opens or builds it in the background after the host has started (<see cref="StartAsync"/>); a search never builds it
/// and fails with <see cref="SearchNotReadyException"/> until it is ready. The change feed keeps it current
/// (<see cref="ApplyFeedAsync"/>), the `reindex` command rebuilds it (<see cref="RebuildAsync"/>).
/// </summary>
/// <remarks>
/// Every commit of the index records, in Lucene's commit user data, the database's id (<see cref="DatabaseIdentity"/>),
/// the change-feed entry it reflects (its Id and time) and <see cref="SearchEngine.SchemaVersion"/>. At start an index
/// on disk with the same database id and schema, whose entry is still the feed's entry of that Id, is opened and
/// brought up to date by replaying the feed after that entry; anything else is rebuilt. See ADR 12.
/// </remarks>
public sealed class SearchIndex(
    IServiceScopeFactory scopes, SearchOptions options, ServiceStatus status, TimeProvider clock, ILogger<SearchIndex> logger) : IDisposable
{
    internal const string SchemaKey = "passerelle.schema";
    internal const string DatabaseKey = "passerelle.database-id";
    internal const string PositionKey = "passerelle.feed-position";
    internal const string PositionTimeKey = "passerelle.feed-position-ticks";

    private const int FeedBatchSize = 500;

    // Serialises every change to the index (start, feed updates, rebuilds); searches never take it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Threading.Lock _disposeLock = new();
    private bool _disposed;
    private SearchEngine? _engine;
    private Task<(SearchEngine Engine, string? Unreadable, TimeSpan Took)>? _opening;
    private string? _databaseId;
    private volatile FeedPosition _position = FeedPosition.Start;

    // The engine holds this database's documents (reused or rebuilt), possibly behind the feed.
    private bool _holdsThisDatabase;

    // The start-up catch-up has begun: from here on feed entries are applied as they come (before, it reads them itself).
    private volatile bool _started;

    // Searches may run: the index is opened or built, and caught up with the feed as it was at start.
    private volatile bool _ready;

    // The start-up is complete (the component reports Ready from then on, also during later rebuilds).
    private volatile bool _startupDone;

    // Feed entries applied to a reused index during the start-up catch-up.
    private int _caughtUp;

    // A feed batch could not be applied: the next one first catches up from the feed itself.
    private bool _behind;
    private int _builds;

    /// <summary>Whether searches can run: set once, at the end of the start-up, and never unset (a rebuild keeps serving).</summary>
    public bool IsReady => _ready;

    /// <summary>How the index this instance serves was obtained at start.</summary>
    public SearchIndexOpening LastOpen { get; private set; }

    /// <summary>Full builds from the database done by this instance (at start, after an "everything" entry, `reindex`).</summary>
    public int Builds => Volatile.Read(ref _builds);

    /// <summary>The Id of the last change-feed entry the index reflects.</summary>
    public long Position => _position.Id;

    public int DocumentCount => _engine?.DocumentCount ?? 0;

    /// <summary>Whether the current snapshot's statistics arrays are loaded (tests: they are, once the start-up is done).</summary>
    internal bool StatisticsLoaded => _engine?.Current.Statistics is not null;

    /// <summary>Runs a search on the current index; never builds it.</summary>
    /// <exception cref="SearchNotReadyException">The index is still being prepared.</exception>
    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        if (!_ready || _engine is not { } engine)
        {
            throw new SearchNotReadyException(status.Get(ServiceStatus.Search)?.Reason);
        }

        return engine.SearchAsync(query, ct);
    }

    /// <summary>The statistics of the projects a search finds (Statistics/, ADR 22); never builds the index.</summary>
    /// <exception cref="SearchNotReadyException">The index is still being prepared.</exception>
    public Task<Statistics.IndexStatistics> StatisticsAsync(SearchQuery query, CancellationToken ct = default)
    {
        if (!_ready || _engine is not { } engine)
        {
            throw new SearchNotReadyException(status.Get(ServiceStatus.Search)?.Reason);
        }

        return engine.StatisticsAsync(query, ct);
    }

    /// <summary>
    /// The start-up, in the background: opens the index on disk if it reflects this database, else rebuilds it; then
    /// applies the feed entries it has not seen; then serves. Safe to call again after a failure: it goes on from the
    /// last step that succeeded.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (_engine is null)
            {
                Report(ComponentState.Starting, options.FullIndexPath is null ? "opening" : "opening the index on disk");
                await OpenAsync(db, ct);
            }

            var opened = clock.Elapsed;

            if (!_holdsThisDatabase)
            {
                await RebuildCoreAsync(db, ct);
                LastOpen = SearchIndexOpening.Rebuilt;
            }

            // From here every feed entry reaches the index: the listener's batches wait for the gate, and those it
            // delivered before this line (ignored) were committed before the catch-up below reads the feed.
            _started = true;
            Report(ComponentState.Starting, $"catching up with the change feed after entry {Position}");
            await CatchUpCoreAsync(db, ct);
            if (LastOpen == SearchIndexOpening.Reused)
            {
                // An "everything" entry among the missed ones rebuilt the index; otherwise the entries were applied to it.
                LastOpen = Builds > 0 ? SearchIndexOpening.Rebuilt
                    : _caughtUp > 0 ? SearchIndexOpening.CaughtUp
                    : SearchIndexOpening.Reused;
            }

            _ready = true;
            var searchable = clock.Elapsed;

            // Every home page shows key figures, which are statistics: their arrays are loaded here, searches already
            // running (they only need _ready), rather than in the first visitor's request (2 s at 2 M projects,
            // issue 17); the component reports Ready once they are. Feed updates wait for the gate meanwhile, and
            // from now on each new snapshot loads them as it opens.
            _engine!.PrepareStatistics();
            var statistics = clock.Elapsed - searchable;
            _startupDone = true;
            Report(ComponentState.Ready, LastOpen switch
            {
                SearchIndexOpening.Reused => $"{DocumentCount:N0} documents; the index on disk was reused (change-feed entry {Position})",
                SearchIndexOpening.CaughtUp => $"{DocumentCount:N0} documents; the index on disk was reused and {_caughtUp:N0} later change(s) applied",
                _ => $"{DocumentCount:N0} documents, built from the database",
            });
            // Where a start's time went (issue 17: a restart on an up-to-date index serves within 2 s), and where the
            // facet arrays came from: an index kept in memory has no table file.
            logger.LogInformation(
                "Search index ready ({Opening}): {Count} documents at change-feed entry {Position}, searchable in {Seconds:F1} s (opening {Opened:F1} s; facet arrays: {Arrays}), statistics' arrays loaded in {Statistics:F1} s more",
                LastOpen, DocumentCount, Position, searchable.TotalSeconds, opened.TotalSeconds,
                options.FullIndexPath is null ? "in memory" : $"read from the table file for {_engine.TableDocsFromFile:N0} documents",
                statistics.TotalSeconds);
            if (_merging.IsCompleted)
            {
                // Else the merge saves them once it is done, for the merged index (and the engine does at a stop).
                SaveTables();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-reads every published programme, grouping, project and organisation and every territory unit, and replaces the index (`reindex`).</summary>
    public async Task<int> RebuildAsync(CancellationToken ct = default)
    {
        int count;
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            if (_engine is null)
            {
                await OpenAsync(db, ct);
            }

            count = await RebuildCoreAsync(db, ct);
        }
        finally
        {
            _gate.Release();
        }

        // The command that asked for it ends the process next: the index it leaves is the merged one, with its
        // arrays (saved by the merge, or here when there was nothing to merge).
        if (!await _merging)
        {
            SaveTables();
        }

        return count;
    }

    /// <summary>
    /// Saves the facet arrays beside the index for the next start (ADR 7, "Restart"). A failure costs only that start's
    /// speed, so it is logged and the index goes on.
    /// </summary>
    private void SaveTables()
    {
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (_engine?.SaveTables() == true)
            {
                logger.LogInformation("Search index: facet arrays saved for the next start in {Seconds:F2} s", clock.Elapsed.TotalSeconds);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Search index: the facet arrays could not be saved for the next start ({Reason}); it will read them from the index", e.Message);
        }
    }

    /// <summary>
    /// Change-feed entries, in feed order, from the listener. Before the start-up's catch-up has begun they are left to
    /// it; afterwards the ones the index has not seen are applied (the catch-up and the listener may overlap).
    /// </summary>
    public async Task ApplyFeedAsync(IReadOnlyList<ChangeEntry> changes, CancellationToken ct)
    {
        if (!_started)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            try
            {
                if (_behind)
                {
                    // The listener moved past a batch the index failed on: read the feed from the index's own position.
                    await CatchUpCoreAsync(db, ct);
                    _behind = false;
                    return;
                }

                var position = Position;
                var fresh = changes.Where(c => c.Id > position).ToList();
                if (fresh.Count > 0)
                {
                    await ApplyCoreAsync(db, fresh, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _behind = true;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Re-reads the changed records and replaces them in the index. Projects of a changed programme or organisation
    /// are re-read too, since they carry its name and country.
    /// </summary>
    public async Task UpdateAsync(SearchChanges changes, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_engine is null)
            {
                throw new SearchNotReadyException(null);
            }

            await using var scope = scopes.CreateAsyncScope();
            await UpdateCoreAsync(scope.ServiceProvider.GetRequiredService<PasserelleDbContext>(), changes, null, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Begins opening the index on disk on another thread, before the database is ready: a host's start runs the
    /// database's start-up (migrations, the default data's check) before anything else, and reading Lucene's files and
    /// the table file needs no database. At a restart that reading is most of the index's part, so it overlaps the
    /// database's start instead of following it (ADR 36). <see cref="StartAsync"/> takes the engine; a failure here is
    /// its failure. Does nothing once the engine is open.
    /// </summary>
    public void BeginOpening()
    {
        // One caller, the host's start (SearchIndexService), before any StartAsync.
        if (_engine is null && _opening is null)
        {
            _opening = Task.Run(OpenAndWarmUp);
        }
    }

    /// <summary>
    /// Opens the engine ahead of the host's start, then runs one search on it (<see cref="SearchEngine.WarmUp"/>) while
    /// the host still builds its pipeline and checks the database: the first visitor's search otherwise paid for what a
    /// snapshot loads on its first search, about a quarter of a second at 2 M (ADR 36). A failure here only loses the
    /// warming; the opening's own failure is reported by the start as before.
    /// </summary>
    private (SearchEngine Engine, string? Unreadable, TimeSpan Took) OpenAndWarmUp()
    {
        var opened = OpenEngineTimed();
        if (opened.Unreadable is null)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var word = opened.Engine.WarmUp();
                logger.LogInformation("Search index warmed by one search ({Word}) in {Seconds:F2} s", word ?? "none: empty", clock.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Warming the search index by one search failed; its first search loads what it needs");
            }
        }

        return opened;
    }

    /// <summary>Opens the engine and decides whether what it holds can be reused for this database.</summary>
    private async Task OpenAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _databaseId = await DatabaseIdentity.GetOrCreateAsync(db, ct);
        var identified = clock.Elapsed;
        // Taken once: after a failure the next attempt opens afresh.
        var opening = Interlocked.Exchange(ref _opening, null);
        var (engine, unreadable, openedIn) = opening is null ? OpenEngineTimed() : await opening;
        engine.RebuildSegments = options.RebuildSegments;
        engine.MergeLaterFrom = options.MergeLaterFrom;
        _engine = engine;
        var engineOpened = clock.Elapsed;
        var notReusable = unreadable ?? await WhyNotReusableAsync(db, engine.CommitData, ct);
        var checkedAt = clock.Elapsed;
        if (notReusable is null)
        {
            _holdsThisDatabase = true;
            _position = FeedPosition.From(engine.CommitData);
            // Labels (theme and region names) live in memory only.
            engine.SetLabels(await new SearchDocumentReader(db, Today()).LabelsAsync(ct));
            LastOpen = SearchIndexOpening.Reused;
        }
        else
        {
            logger.LogInformation("Search index will be rebuilt: {Reason}", notReusable);
            Report(ComponentState.Starting, $"building: {notReusable}");
        }

        logger.LogInformation(
            "Search index opened in {Seconds:F2} s: database id {Identity:F2} s, index and its arrays {Engine:F2} s{Ahead}, checks {Checks:F2} s, labels {Labels:F2} s",
            clock.Elapsed.TotalSeconds, identified.TotalSeconds, (engineOpened - identified).TotalSeconds,
            opening is null ? "" : $" waited for (opened in {openedIn.TotalSeconds:F2} s beside the database's start)", (checkedAt - engineOpened).TotalSeconds,
            (clock.Elapsed - checkedAt).TotalSeconds);
    }

    private (SearchEngine Engine, string? Unreadable, TimeSpan Took) OpenEngineTimed()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (engine, unreadable) = OpenEngine();
        return (engine, unreadable, clock.Elapsed);
    }

    private (SearchEngine Engine, string? Unreadable) OpenEngine()
    {
        var path = options.FullIndexPath;
        try
        {
            return (NewEngine(path, create: false), null);
        }
        catch (LockObtainFailedException e)
        {
            throw new InvalidOperationException(
                $"The search index folder {path} is locked by another process: each instance needs a Search:IndexPath of its own.", e);
        }
        catch (Exception e) when (path is not null && e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The search index in {Path} cannot be read; it is replaced by a new one", path);
            var reason = $"the index on disk cannot be read ({e.GetType().Name})";
            try
            {
                return (NewEngine(path, create: true), reason);
            }
            catch (Exception again) when (again is not LockObtainFailedException and not OperationCanceledException)
            {
                // Lucene could not even start over it: remove Lucene's own files (never anything else) and begin empty.
                foreach (var file in System.IO.Directory.EnumerateFiles(path))
                {
                    var name = Path.GetFileName(file);
                    if (name.StartsWith("segments", StringComparison.Ordinal) || name.StartsWith('_') || name == "write.lock")
                    {
                        File.Delete(file);
                    }
                }

                return (NewEngine(path, create: true), reason);
            }
        }
    }

    private SearchEngine NewEngine(string? path, bool create) =>
        new(path, indexingThreads: null, create, concurrentSearches: null, options.FlushEveryDocs) { CacheQueries = options.CacheQueries };

    /// <summary>Null when the index the engine opened reflects this database; else why it must be rebuilt.</summary>
    private async Task<string?> WhyNotReusableAsync(PasserelleDbContext db, IReadOnlyDictionary<string, string> data, CancellationToken ct)
    {
        if (options.FullIndexPath is null)
        {
            return "the index is kept in memory (Search:IndexPath is not set)";
        }

        if (data.Count == 0)
        {
            return "no index on disk yet";
        }

        if (data.GetValueOrDefault(SchemaKey) != SearchEngine.SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            return $"the index on disk was written in another format (schema {data.GetValueOrDefault(SchemaKey) ?? "none"}, " +
                   $"this version writes {SearchEngine.SchemaVersion})";
        }

        if (data.GetValueOrDefault(DatabaseKey) != _databaseId)
        {
            return "the index on disk was built from another database";
        }

        var stored = FeedPosition.From(data);
        var end = await FeedEndAsync(db, ct);
        if (stored.Id > end.Id)
        {
            return $"the index on disk reflects change-feed entry {stored.Id}, beyond the end of the database's feed ({end.Id}): " +
                   "the database was replaced, e.g. by an older backup";
        }

        if (stored.Id > 0)
        {
            var ticks = await db.ChangeFeed.AsNoTracking().Where(e => e.Id == stored.Id).Select(e => (DateTime?)e.ChangedAt).SingleOrDefaultAsync(ct);
            if (ticks?.Ticks != stored.Ticks)
            {
                return $"the database's change-feed entry {stored.Id} is not the one the index on disk reflects: the database was replaced";
            }
        }

        return null;
    }

    /// <summary>Applies every feed entry after <see cref="Position"/>; returns how many there were.</summary>
    private async Task<int> CatchUpCoreAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var applied = 0;
        while (true)
        {
            var after = Position;
            var batch = await db.ChangeFeed.AsNoTracking().Where(e => e.Id > after).OrderBy(e => e.Id).Take(FeedBatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return applied;
            }

            await ApplyCoreAsync(db, batch, ct);
            applied += batch.Count;
        }
    }

    /// <summary>
    /// Applies feed entries (all after <see cref="Position"/>, in order): the records they name are re-read, or, for
    /// anything the index cannot address by id, everything is rebuilt.
    /// </summary>
    private async Task ApplyCoreAsync(PasserelleDbContext db, IReadOnlyList<ChangeEntry> changes, CancellationToken ct)
    {
        // A deletion names a slug that no longer resolves to the id the index keys on; an "all" entry (seeding, restore,
        // a territory import) or a theme may touch many documents. All are rare: rebuild.
        var named = FeedChanges.Of(changes);
        if (named.Everything || named.Deleted.Count > 0 || named.Types.Contains("Theme"))
        {
            if (_holdsThisDatabase)
            {
                // Same database, an older state: it serves while the new index is built (at start, too; the
                // component still reports Starting then, until the start-up is complete).
                _ready = true;
            }

            await RebuildCoreAsync(db, ct);
            return;
        }

        var projects = named.Projects.ToList();
        var organisations = named.Organisations.ToList();
        var programmes = named.Programmes.ToList();
        var groupings = named.Groupings.ToList();
        var ids = new SearchChanges(
            Programmes: await db.Programmes.Where(p => programmes.Contains(p.Slug)).Select(p => p.Id).ToListAsync(ct),
            Projects: await db.Projects.Where(p => projects.Contains(p.Slug)).Select(p => p.Id).ToListAsync(ct),
            Organisations: await db.Organisations.Where(o => organisations.Contains(o.Slug)).Select(o => o.Id).ToListAsync(ct),
            Groupings: await db.Groupings.Where(g => groupings.Contains(g.Slug)).Select(g => g.Id).ToListAsync(ct));
        await UpdateCoreAsync(db, ids, FeedPosition.Of(changes[^1]), ct);
        if (!_startupDone)
        {
            _caughtUp += changes.Count;
        }
    }

    private async Task UpdateCoreAsync(PasserelleDbContext db, SearchChanges changes, FeedPosition? position, CancellationToken ct)
    {
        var engine = _engine!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var programmeIds = changes.Programmes?.ToList() ?? [];
        var organisationIds = changes.Organisations?.ToList() ?? [];
        var groupingIds = changes.Groupings?.ToList() ?? [];
        var projectIds = (changes.Projects ?? []).ToHashSet();
        if (programmeIds.Count > 0 || organisationIds.Count > 0)
        {
            projectIds.UnionWith(await db.Projects.AsNoTracking()
                .Where(p => (p.ProgrammeId != null && programmeIds.Contains(p.ProgrammeId.Value))
                    || p.Participations.Any(x => organisationIds.Contains(x.OrganisationId)))
                .Select(p => p.Id).ToListAsync(ct));
        }

        var reader = new SearchDocumentReader(db, Today());
        var documents = new List<SearchDocument>();
        documents.AddRange(await reader.ProgrammesAsync(programmeIds, ct));
        documents.AddRange(await reader.ProjectsAsync(projectIds.ToList(), ct));
        documents.AddRange(await reader.OrganisationsAsync(organisationIds, ct));
        documents.AddRange(await reader.GroupingsAsync(groupingIds, ct));
        var present = documents.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var deleted = programmeIds.Select(id => SearchDocument.KeyOf(SearchDocType.Programme, id))
            .Concat(projectIds.Select(id => SearchDocument.KeyOf(SearchDocType.Project, id)))
            .Concat(organisationIds.Select(id => SearchDocument.KeyOf(SearchDocType.Organisation, id)))
            .Concat(groupingIds.Select(id => SearchDocument.KeyOf(SearchDocType.Grouping, id)))
            .Where(k => !present.Contains(k))
            .ToList();
        engine.SetLabels(await reader.LabelsAsync(ct));
        var read = clock.Elapsed;
        engine.Update(documents, deleted, position is null ? null : CommitData(position));
        if (position is not null)
        {
            _position = position;
        }

        logger.LogDebug(
            "Search index updated: {Documents} documents re-read and {Deleted} removed in {Ms:F0} ms (reading {Read:F0} ms, arrays of {Copied} of {Total} documents copied)",
            documents.Count, deleted.Count, clock.Elapsed.TotalMilliseconds, read.TotalMilliseconds, engine.LastReopen?.SharedDocs, engine.LastReopen?.MaxDoc);
    }

    private async Task<int> RebuildCoreAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var engine = _engine!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _databaseId ??= await DatabaseIdentity.GetOrCreateAsync(db, ct);
        if (_ready)
        {
            Report(_startupDone ? ComponentState.Ready : ComponentState.Starting,
                "rebuilding from the database; the current index serves searches meanwhile");
        }

        // The feed's end is read before the records: a change committed meanwhile has a later entry, replayed after.
        var end = await FeedEndAsync(db, ct);
        var reader = new SearchDocumentReader(db, Today());
        var head = new List<SearchDocument>();
        head.AddRange(await reader.ProgrammesAsync(null, ct));
        head.AddRange(await reader.GroupingsAsync(null, ct));
        var territories = await reader.TerritoriesAsync(ct);
        engine.SetLabels(await reader.LabelsAsync(ct));

        async IAsyncEnumerable<List<SearchDocument>> Pages([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
        {
            yield return head;
            await foreach (var page in reader.ProjectPagesAsync(Math.Max(1, options.RebuildPageSize), token))
            {
                yield return page;
            }

            await foreach (var page in reader.OrganisationPagesAsync(Math.Max(1, options.RebuildPageSize), token))
            {
                yield return page;
            }

            yield return territories;
        }

        var count = await RebuildFromPagesAsync(engine, Pages(ct), CommitData(end), ct);
        LastRebuildServing = clock.Elapsed;
        _position = end;
        _holdsThisDatabase = true;
        Interlocked.Increment(ref _builds);
        // The index serves from here; its segments are merged beside searches and updates (ADR 7, "Rebuild").
        _merging = MergeAsync(engine);
        if (_startupDone)
        {
            Report(ComponentState.Ready, $"{count:N0} documents, rebuilt from the database");
        }

        logger.LogInformation("Search index rebuilt: {Count} documents", count);
        return count;
    }

    /// <summary>
    /// Rebuilds the index from <paramref name="pages"/> as they are read: the database is read here (async) while the
    /// engine analyses the pages already read on its own threads; at most two pages wait between them, so memory
    /// holds a few pages whatever the registry's size (issue 17: 2 M projects within 2 GiB). A failure on either side
    /// stops the other, and the engine then keeps its previous index.
    /// </summary>
    private async Task<int> RebuildFromPagesAsync(
        SearchEngine engine, IAsyncEnumerable<List<SearchDocument>> pages, Dictionary<string, string> commitData, CancellationToken ct)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<List<SearchDocument>>(
            new System.Threading.Channels.BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var indexing = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return engine.Rebuild(Drain(channel.Reader, ct), commitData, mergeLater: true);
                }
                finally
                {
                    // Done or failed: a reader still waiting to hand over a page stops.
                    stop.Cancel();
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Exception? failure = null;
        var reading = TimeSpan.Zero;
        var waiting = TimeSpan.Zero;
        try
        {
            await using var e = pages.GetAsyncEnumerator(stop.Token);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await e.MoveNextAsync())
            {
                reading += clock.Elapsed;
                clock.Restart();
                await channel.Writer.WriteAsync(e.Current, stop.Token);
                waiting += clock.Elapsed;
                clock.Restart();
            }

            reading += clock.Elapsed;
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            channel.Writer.TryComplete(failure);
        }

        // The engine's own failure (or the reader's, which ends its input with that exception) comes out here.
        var count = await indexing;
        LastRebuildReading = (reading, waiting);
        return count;
    }

    /// <summary>
    /// The merge of a rebuild's segments, after it serves (<see cref="SearchEngine.MergeSegments"/>), on a thread of its
    /// own, outside the gate: feed updates go on meanwhile. The facet arrays are saved again once it is done, for the
    /// merged index. A failure only leaves the index in several segments, a little slower to search, until the next
    /// rebuild; it is logged.
    /// </summary>
    private Task<bool> MergeAsync(SearchEngine engine) => LowPriority.RunAsync("search index merge", () =>
    {
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var segments = engine.MergeSegments();
            if (segments == 0)
            {
                return false;
            }

            logger.LogInformation(
                "Search index: the rebuild's {Segments} segments merged in {Seconds:F1} s; searches read the merged index",
                segments, clock.Elapsed.TotalSeconds);
            if (!_disposed)
            {
                SaveTables();
            }

            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closed meanwhile (a host stopping), or the disk: the index is whole either way.
            logger.Log(_disposed ? LogLevel.Debug : LogLevel.Warning, e, "Search index: merging the rebuild's segments failed; the index serves as it is");
            return false;
        }
    });

    private Task<bool> _merging = Task.FromResult(false);

    /// <summary>The merge after the last rebuild (tests and bench index-build wait for it).</summary>
    internal Task<bool> Merging => _merging;

    /// <summary>
    /// The last rebuild's time spent reading pages from the database and waiting for the engine to take them (bench
    /// index-build; the engine's own phases are <see cref="SearchEngine.LastRebuild"/>).
    /// </summary>
    internal (TimeSpan Reading, TimeSpan Waiting) LastRebuildReading { get; private set; }

    /// <summary>The last rebuild's time until its index served, before its merge (bench index-build).</summary>
    internal TimeSpan LastRebuildServing { get; private set; }

    internal SearchEngine? Engine => _engine;

    /// <summary>The pages' documents, reporting progress while the index is not serving yet, and stopping on cancellation.</summary>
    private IEnumerable<SearchDocument> Drain(System.Threading.Channels.ChannelReader<List<SearchDocument>> pages, CancellationToken ct)
    {
        var i = 0;
        // This runs on the indexing thread, which has nothing else to do while the next page is read.
        while (pages.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
        {
            while (pages.TryRead(out var page))
            {
                foreach (var document in page)
                {
                    if (i % 1_000 == 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        if (!_ready && i > 0)
                        {
                            Report(ComponentState.Starting, $"building: {i:N0} records indexed");
                        }
                    }

                    i++;
                    yield return document;
                }
            }
        }
    }

    private Dictionary<string, string> CommitData(FeedPosition position) => new(StringComparer.Ordinal)
    {
        [SchemaKey] = SearchEngine.SchemaVersion.ToString(CultureInfo.InvariantCulture),
        [DatabaseKey] = _databaseId ?? "",
        [PositionKey] = position.Id.ToString(CultureInfo.InvariantCulture),
        [PositionTimeKey] = position.Ticks.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<FeedPosition> FeedEndAsync(PasserelleDbContext db, CancellationToken ct) =>
        (await db.ChangeFeed.AsNoTracking().OrderByDescending(e => e.Id).FirstOrDefaultAsync(ct)) is { } last ? FeedPosition.Of(last) : FeedPosition.Start;

    private void Report(ComponentState state, string? reason) => status.Set(ServiceStatus.Search, state, reason);

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Closes the index. Returns only once it is closed, also to a caller that comes while another one closes it: a
    /// host can be disposed from two threads at once (WebApplicationFactory does it beside the entry point's own
    /// RunAsync), and whoever removes the folder afterwards must not pull files from under the closing commit.
    /// </summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // An engine opened ahead that no start took (the host stopped first) holds the index's lock too.
            if (Interlocked.Exchange(ref _opening, null) is { } opening)
            {
                try
                {
                    opening.GetAwaiter().GetResult().Engine.Dispose();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    logger.LogDebug(e, "The search index opened ahead could not be opened; nothing to close");
                }
            }

            try
            {
                _engine?.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing is lost: every change is committed when it is applied, and the next start opens the last
                // commit and catches up from its feed position, or rebuilds an index it cannot read (ADR 12).
                logger.LogWarning(e, "The search index in {Path} could not be closed cleanly; the next start catches up from its last commit or rebuilds it", options.FullIndexPath);
            }

            _gate.Dispose();
        }
    }

    /// <summary>A change-feed entry, by Id and time (the time tells an entry from another database's of the same Id).</summary>
    private sealed record FeedPosition(long Id, long Ticks)
    {
        public static readonly FeedPosition Start = new(0, 0);

        public static FeedPosition Of(ChangeEntry entry) => new(entry.Id, entry.ChangedAt.Ticks);

        public static FeedPosition From(IReadOnlyDictionary<string, string> data) => new(
            long.TryParse(data.GetValueOrDefault(PositionKey), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0,
            long.TryParse(data.GetValueOrDefault(PositionTimeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : 0);
    }
}

public static class SearchServiceCollectionExtensions
{
    public static IServiceCollection AddPasserelleSearch(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
        options.FullIndexPath = string.IsNullOrWhiteSpace(options.IndexPath) ? null : Path.GetFullPath(Path.Combine(contentRoot, options.IndexPath));
        services.AddSingleton(options);
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<IChangeFeedSubscriber, SearchFeedSubscriber>();
        services.TryAddStartupGate();
        services.AddHostedService<SearchIndexService>();
        return services;
    }
}
