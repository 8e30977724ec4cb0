using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Themes;

namespace Passerelle.Core.Data.ChangeFeed;

/// <summary>
/// Adds a <see cref="ChangeEntry"/> for every added, modified or deleted programme, grouping, project, organisation,
/// participation and theme (and a project whose themes changed) to the same SaveChanges, hence the same transaction.
/// ExecuteUpdate/ExecuteDelete do not pass here: code using them writes its own entry (see <see cref="ChangeEntry.Everything"/>).
/// </summary>
public sealed class ChangeFeedInterceptor : SaveChangesInterceptor
{
    // Any constant works; it only has to be the same for every writer of the feed.
    private const long FeedLockKey = 0x5061737365726C6C; // "Passerll"

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is PasserelleDbContext db)
        {
            await RecordAsync(db, cancellationToken);
        }

        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is PasserelleDbContext db)
        {
            RecordAsync(db, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is PasserelleDbContext { FeedTransaction: { } transaction } db)
        {
            db.FeedTransaction = null;
            await transaction.CommitAsync(cancellationToken);
            await transaction.DisposeAsync();
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        RollBackAsync(eventData.Context);

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => RollBackAsync(eventData.Context).GetAwaiter().GetResult();

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        RollBackAsync(eventData.Context);

    public override void SaveChangesCanceled(DbContextEventData eventData) => RollBackAsync(eventData.Context).GetAwaiter().GetResult();

    private static async Task RollBackAsync(DbContext? context)
    {
        if (context is PasserelleDbContext { FeedTransaction: { } transaction } db)
        {
            db.FeedTransaction = null;
            await transaction.DisposeAsync(); // an uncommitted transaction rolls back on dispose
        }
    }

    private static async ValueTask RecordAsync(PasserelleDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var now = DateTime.UtcNow;
        var entries = new List<ChangeEntry>();
        var changed = db.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        // The slugs a participation's (or a project theme's) keys point to, found once for the whole save: tracked
        // records first, the others in one query per kind. Looking each one up in the change tracker cost a pass over
        // every tracked entity per participation, quadratic in a bulk import (ADR 30).
        var projects = await SlugsAsync(db, db.Projects, changed, e => e.Entity switch
        {
            Participation => nameof(Participation.ProjectId),
            Dictionary<string, object> when e.Metadata.Name == "ProjectThemes" => "ProjectId",
            _ => null,
        }, ct);
        var organisations = await SlugsAsync(db, db.Organisations, changed, e => e.Entity is Participation ? nameof(Participation.OrganisationId) : null, ct);
        foreach (var entry in changed)
        {
            var kind = entry.State switch
            {
                EntityState.Added => ChangeKind.Added,
                EntityState.Deleted => ChangeKind.Deleted,
                _ => ChangeKind.Modified,
            };
            switch (entry.Entity)
            {
                case Project p:
                    AddKeyed(entries, entry, nameof(Project), nameof(Project.Slug), p.Slug, kind, now);
                    break;
                case Organisation o:
                    AddKeyed(entries, entry, nameof(Organisation), nameof(Organisation.Slug), o.Slug, kind, now);
                    break;
                case Programme p:
                    AddKeyed(entries, entry, nameof(Programme), nameof(Programme.Slug), p.Slug, kind, now);
                    break;
                case Grouping g:
                    AddKeyed(entries, entry, nameof(Grouping), nameof(Grouping.Slug), g.Slug, kind, now);
                    break;
                case Theme t:
                    AddKeyed(entries, entry, nameof(Theme), nameof(Theme.Slug), t.Slug, kind, now);
                    break;
                case Participation:
                    var project = SlugOf(projects, entry, nameof(Participation.ProjectId));
                    var organisation = SlugOf(organisations, entry, nameof(Participation.OrganisationId));
                    entries.Add(New(nameof(Participation), $"{project}/{organisation}", kind, now));
                    break;
                case Dictionary<string, object> when entry.Metadata.Name == "ProjectThemes":
                    // A project's themes changed: to readers the project changed.
                    entries.Add(New(nameof(Project), SlugOf(projects, entry, "ProjectId"), ChangeKind.Modified, now));
                    break;
            }
        }

        var distinct = entries.DistinctBy(e => (e.EntityType, e.EntityId, e.Kind)).ToList();
        // A write session past its limit of entries tells other instances to reload everything, once (ADR 30).
        db.ChangeFeed.AddRange(distinct.Count > 0 && db.ActiveWriteSession?.CapFeed(distinct.Count, now) is { } instead ? instead : distinct);

        if (db.Database.IsNpgsql() && db.ChangeTracker.Entries<ChangeEntry>().Any(e => e.State == EntityState.Added))
        {
            // PostgreSQL hands out identity values at insert, not at commit: without this, a transaction holding Id 10
            // could commit after one holding Id 11, and a listener that already read 11 would never see 10. Writers of
            // the feed take this lock before their insert and keep it until commit, so Ids become visible in order.
            // SQLite needs nothing: it has one writer at a time.
            if (db.Database.CurrentTransaction is null)
            {
                db.FeedTransaction = await db.Database.BeginTransactionAsync(ct);
            }

            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({FeedLockKey})", ct);
        }
    }

    private static void AddKeyed(List<ChangeEntry> entries, EntityEntry entry, string type, string slugProperty, string slug, ChangeKind kind, DateTime now)
    {
        entries.Add(New(type, slug, kind, now));
        // A renamed slug: readers holding the old one must drop it.
        if (entry.State == EntityState.Modified && entry.Property(slugProperty).OriginalValue is string old && old != slug)
        {
            entries.Add(New(type, old, ChangeKind.Deleted, now));
        }
    }

    private static ChangeEntry New(string type, string id, ChangeKind kind, DateTime now) =>
        new() { EntityType = type, EntityId = id, Kind = kind, ChangedAt = now };

    private static object? KeyOf(EntityEntry entry, string foreignKey)
    {
        var property = entry.Property(foreignKey);
        return entry.State == EntityState.Deleted ? property.OriginalValue : property.CurrentValue;
    }

    /// <summary>The slug of the project or organisation a foreign key points to: tracked (possibly new) or read; "?" for an unsaved key no tracked record has.</summary>
    private static string SlugOf(Dictionary<object, string> slugs, EntityEntry entry, string foreignKey) =>
        KeyOf(entry, foreignKey) is { } id && slugs.TryGetValue(id, out var slug) ? slug
        : entry.Property(foreignKey).IsTemporary || KeyOf(entry, foreignKey) is not int key ? "?"
        : key.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Key → slug of the records of <paramref name="set"/> that the changed entries' foreign keys (named by
    /// <paramref name="foreignKey"/>, null for none) point to: tracked ones as tracked, the others read in batches.
    /// </summary>
    private static async Task<Dictionary<object, string>> SlugsAsync<T>(
        PasserelleDbContext db, DbSet<T> set, List<EntityEntry> changed, Func<EntityEntry, string?> foreignKey, CancellationToken ct)
        where T : class
    {
        var slugs = new Dictionary<object, string>();
        var wanted = changed.Select(e => foreignKey(e) is { } name ? (Entry: e, Name: name) : default).Where(x => x.Entry is not null).ToList();
        if (wanted.Count == 0)
        {
            return slugs;
        }

        foreach (var tracked in db.ChangeTracker.Entries<T>())
        {
            if (tracked.Property("Id").CurrentValue is { } id)
            {
                slugs.TryAdd(id, (string)tracked.Property("Slug").CurrentValue!);
            }
        }

        var missing = wanted.Where(x => !x.Entry.Property(x.Name).IsTemporary && KeyOf(x.Entry, x.Name) is int key && !slugs.ContainsKey(key))
            .Select(x => (int)KeyOf(x.Entry, x.Name)!).Distinct().ToList();
        foreach (var chunk in missing.Chunk(5_000))
        {
            foreach (var row in await set.AsNoTracking().Where(e => chunk.Contains(EF.Property<int>(e, "Id")))
                         .Select(e => new { Id = EF.Property<int>(e, "Id"), Slug = EF.Property<string>(e, "Slug") }).ToListAsync(ct))
            {
                slugs.TryAdd(row.Id, row.Slug);
            }
        }

        return slugs;
    }
}
