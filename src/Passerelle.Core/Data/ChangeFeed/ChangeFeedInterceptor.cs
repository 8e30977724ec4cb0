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
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

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
                    var project = await SlugOfAsync(db, db.Projects, entry, nameof(Participation.ProjectId), ct);
                    var organisation = await SlugOfAsync(db, db.Organisations, entry, nameof(Participation.OrganisationId), ct);
                    entries.Add(New(nameof(Participation), $"{project}/{organisation}", kind, now));
                    break;
                case Dictionary<string, object> when entry.Metadata.Name == "ProjectThemes":
                    // A project's themes changed: to readers the project changed.
                    entries.Add(New(nameof(Project), await SlugOfAsync(db, db.Projects, entry, "ProjectId", ct), ChangeKind.Modified, now));
                    break;
            }
        }

        db.ChangeFeed.AddRange(entries.DistinctBy(e => (e.EntityType, e.EntityId, e.Kind)));

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

    /// <summary>The slug of the project or organisation a foreign key points to: tracked (possibly new) or read.</summary>
    private static async Task<string> SlugOfAsync<T>(PasserelleDbContext db, DbSet<T> set, EntityEntry entry, string foreignKey, CancellationToken ct)
        where T : class
    {
        var property = entry.Property(foreignKey);
        var id = entry.State == EntityState.Deleted ? property.OriginalValue : property.CurrentValue;
        foreach (var tracked in db.ChangeTracker.Entries<T>())
        {
            if (Equals(tracked.Property("Id").CurrentValue, id))
            {
                return (string)tracked.Property("Slug").CurrentValue!;
            }
        }

        if (property.IsTemporary || id is not int key)
        {
            return "?";
        }

        return await set.AsNoTracking().Where(e => EF.Property<int>(e, "Id") == key).Select(e => EF.Property<string>(e, "Slug")).SingleOrDefaultAsync(ct)
            ?? key.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
