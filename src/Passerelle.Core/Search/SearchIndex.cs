using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Search;

public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>A folder for an on-disk index (relative to the content root); empty keeps the index in memory.</summary>
    public string? IndexPath { get; set; }
}

/// <summary>What changed in the registry, by record id; a change feed (the PostgreSQL issue) passes these on.</summary>
public sealed record SearchChanges(
    IReadOnlyCollection<int>? Programmes = null,
    IReadOnlyCollection<int>? Projects = null,
    IReadOnlyCollection<int>? Organisations = null);

/// <summary>
/// The registry's search service: a <see cref="SearchEngine"/> fed from the database. Built on first use when empty,
/// rebuilt by the `reindex` command, and kept current by <see cref="UpdateAsync"/> with the ids of changed records,
/// which it re-reads (a record no longer published, or gone, leaves the index).
/// </summary>
public sealed class SearchIndex(IServiceScopeFactory scopes, SearchEngine engine, TimeProvider clock, ILogger<SearchIndex> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready = engine.DocumentCount > 0;

    public int DocumentCount => engine.DocumentCount;

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        if (!_ready)
        {
            await EnsureBuiltAsync(ct);
        }

        return engine.Search(query);
    }

    public async Task EnsureBuiltAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!_ready)
            {
                await RebuildCoreAsync(ct);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-reads every published programme, project and organisation and replaces the index.</summary>
    public async Task<int> RebuildAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await RebuildCoreAsync(ct);
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
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
            var programmeIds = changes.Programmes?.ToList() ?? [];
            var organisationIds = changes.Organisations?.ToList() ?? [];
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
            var present = documents.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            var deleted = programmeIds.Select(id => SearchDocument.KeyOf(SearchDocType.Programme, id))
                .Concat(projectIds.Select(id => SearchDocument.KeyOf(SearchDocType.Project, id)))
                .Concat(organisationIds.Select(id => SearchDocument.KeyOf(SearchDocType.Organisation, id)))
                .Where(k => !present.Contains(k))
                .ToList();
            engine.SetLabels(await reader.LabelsAsync(ct));
            engine.Update(documents, deleted);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> RebuildCoreAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        var reader = new SearchDocumentReader(db, Today());
        var documents = new List<SearchDocument>();
        documents.AddRange(await reader.ProgrammesAsync(null, ct));
        documents.AddRange(await reader.ProjectsAsync(null, ct));
        documents.AddRange(await reader.OrganisationsAsync(null, ct));
        engine.SetLabels(await reader.LabelsAsync(ct));
        var count = engine.Rebuild(documents);
        // An empty registry (a search before the seed) is not "ready": the next search tries again.
        _ready = count > 0;
        logger.LogInformation("Search index rebuilt: {Count} documents", count);
        return count;
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

public static class SearchServiceCollectionExtensions
{
    public static IServiceCollection AddPasserelleSearch(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
        services.AddSingleton(options);
        services.AddSingleton(_ => new SearchEngine(
            string.IsNullOrWhiteSpace(options.IndexPath) ? null : Path.GetFullPath(Path.Combine(contentRoot, options.IndexPath))));
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<Data.ChangeFeed.IChangeFeedSubscriber, SearchFeedSubscriber>();
        return services;
    }
}
