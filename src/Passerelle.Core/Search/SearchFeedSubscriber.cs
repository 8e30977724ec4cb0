using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Search;

/// <summary>
/// Keeps every instance's in-process index in step with the database: the change feed names the records changed by
/// any instance; added or modified ones are re-read, anything the index cannot address by slug rebuilds it.
/// </summary>
public sealed class SearchFeedSubscriber(SearchIndex index, IServiceScopeFactory scopes) : IChangeFeedSubscriber
{
    public async Task OnChangesAsync(IReadOnlyList<ChangeEntry> changes, CancellationToken cancellationToken)
    {
        // A deletion names a slug that no longer resolves to the id the index keys on; an "all" entry, a theme or a
        // grouping may touch many documents. Both are rare (seeding, restore, editing a taxonomy): rebuild.
        if (changes.Any(c => c.IsAll || c.Kind == ChangeKind.Deleted || c.EntityType is "Theme" or "Grouping"))
        {
            await index.RebuildAsync(cancellationToken);
            return;
        }

        var projects = changes.Where(c => c.EntityType == "Project").Select(c => c.EntityId)
            .Concat(changes.Where(c => c.EntityType == "Participation").Select(c => c.EntityId.Split('/')[0]))
            .Distinct().ToList();
        var organisations = changes.Where(c => c.EntityType == "Organisation").Select(c => c.EntityId).Distinct().ToList();
        var programmes = changes.Where(c => c.EntityType == "Programme").Select(c => c.EntityId).Distinct().ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDbContext>();
        await index.UpdateAsync(new SearchChanges(
            Programmes: await db.Programmes.Where(p => programmes.Contains(p.Slug)).Select(p => p.Id).ToListAsync(cancellationToken),
            Projects: await db.Projects.Where(p => projects.Contains(p.Slug)).Select(p => p.Id).ToListAsync(cancellationToken),
            Organisations: await db.Organisations.Where(o => organisations.Contains(o.Slug)).Select(o => o.Id).ToListAsync(cancellationToken)),
            cancellationToken);
    }
}
