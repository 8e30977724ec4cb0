using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.History;

namespace Passerelle.Core.Registry;

/// <summary>
/// Refuses any save that changes the registry outside a <see cref="WriteSession"/>'s flush: a record, link or fact
/// written some other way would have no history and no source check (ADR 0010). Application state (the change feed,
/// settings, data-protection keys) is not the registry and passes. Set-based ExecuteUpdate/ExecuteDelete do not pass
/// through interceptors; the registry's code does not use them, and tests check revisions after every writer.
/// </summary>
public sealed class WritePathGuard : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is not PasserelleDbContext db || db.ActiveWriteSession is { Flushing: true })
        {
            return;
        }

        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                && !IsApplicationState(entry.Entity))
            {
                throw new InvalidOperationException(
                    $"{entry.Metadata.Name} is part of the registry: write it through a WriteSession (RegistryWriter.BeginAsync), " +
                    (db.ActiveWriteSession is null ? "none is open." : "and save with session.FlushAsync or CommitAsync, not SaveChanges."));
            }
        }
    }

    /// <summary>
    /// Rows that are the application's own state rather than the registry: the change feed, settings, data-protection
    /// keys, the history itself, accounts (users, tokens, the audit log), which have their own audit trail, and the
    /// editions of the lists of operations, which record what was published (copies of values, not values; ADR 26).
    /// </summary>
    internal static bool IsApplicationState(object entity) =>
        entity is ChangeEntry or Common.AppSetting or Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey or ChangeSet or Revision or RecordVersion
        || entity.GetType().Namespace is "Passerelle.Core.Accounts" or "Passerelle.Core.Editions" or "Microsoft.AspNetCore.Identity";
}
