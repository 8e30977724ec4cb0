using System.Net.Sockets;

using Microsoft.AspNetCore.Connections;
using Microsoft.Data.Sqlite;

using Npgsql;

using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Territories;

namespace Passerelle.Web;

/// <summary>A command used wrongly (unknown command, missing or bad argument): exit code 2, with the usage.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The process's exit codes (README, "Commands") and the one place that maps a failure to its code and one-line message,
/// for the web host's start and every command alike.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected error: a bug, or a failure no other code describes.</summary>
    public const int Unexpected = 1;

    /// <summary>Bad input or usage: bad arguments, an invalid import, default-data or backup file.</summary>
    public const int BadInput = 2;

    /// <summary>The database is not ready: pending migrations, a missing PostgreSQL database or unreachable server, a file
    /// that is not a SQLite database or not a Passerelle one.</summary>
    public const int DatabaseNotReady = 3;

    /// <summary>A file or permission problem: a missing file, a folder that cannot be written or created, disk full.</summary>
    public const int FileOrPermission = 4;

    /// <summary>Locked: another import, restore or seeding is running, or the database is locked.</summary>
    public const int Locked = 5;

    /// <summary>The web host cannot listen: port in use, address not available.</summary>
    public const int CannotListen = 6;

    /// <summary>An e-mail could not be sent (Smtp settings): what it carried is printed instead, nothing else failed.</summary>
    public const int MailFailed = 7;

    /// <summary>The exit code and the one-line message for a failure.</summary>
    public static (int Code, string Message) Classify(Exception failure)
    {
        var chain = Chain(failure).ToList();
        foreach (var e in chain)
        {
            if (Specific(e, chain) is { } known)
            {
                return (known.Code, OneLine(known.Message));
            }
        }

        // Nothing specific: a file-system failure anywhere in the chain, else an unexpected error.
        if (chain.FirstOrDefault(e => e is IOException or UnauthorizedAccessException) is { } io)
        {
            return (FileOrPermission, OneLine(io.Message));
        }

        var outer = chain[0];
        return (Unexpected, OneLine($"{outer.Message} ({outer.GetType().Name}; run again with --verbose for the details)"));
    }

    private static (int Code, string Message)? Specific(Exception e, List<Exception> chain) => e switch
    {
        UsageException => (BadInput, e.Message),
        Passerelle.Core.Accounts.AccountException => (BadInput, e.Message),
        // A setting the start checks (RateLimits, PublicUrl, ForwardedHeaders, Territories:TileUrl): each problem named.
        Microsoft.Extensions.Options.OptionsValidationException => (BadInput, "bad settings: " + e.Message),
        WriteLockedException => (Locked, e.Message),
        Lucene.Net.Store.LockObtainFailedException => (Locked,
            $"The search index folder (Search:IndexPath) is in use by another process, e.g. a running web instance: {e.Message}. " +
            "A running instance keeps its own index current; give `reindex` another Search:IndexPath, or stop that instance first."),
        DatabaseNotReadyException => (DatabaseNotReady, e.Message),
        BackupException { Error: BackupError.FileNotFound } => (FileOrPermission, e.Message),
        BackupException { Error: BackupError.InvalidFile } => (BadInput, e.Message),
        BackupException => (Unexpected, e.Message),
        DefaultDataException or TerritoryImportException or Passerelle.Core.Registry.RegistryWriteException => (BadInput, e.Message),
        AddressInUseException => (CannotListen, ListenMessage(e, chain)),
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable } => (CannotListen, ListenMessage(e, chain)),
        PostgresException p => Postgres(p),
        NpgsqlException n => (DatabaseNotReady,
            $"Cannot reach the PostgreSQL server named in ConnectionStrings:Passerelle: {n.Message}" +
            (n.InnerException is { } inner ? $" ({inner.Message})" : "")),
        SqliteException s => Sqlite(s),
        _ => null,
    };

    private static (int, string) Postgres(PostgresException e) => e.SqlState switch
    {
        PostgresErrorCodes.InvalidCatalogName =>
            (DatabaseNotReady, $"The PostgreSQL database named in ConnectionStrings:Passerelle does not exist ({e.MessageText}). Create it (see README, \"Run on PostgreSQL\"), then run `Passerelle.Web migrate`."),
        PostgresErrorCodes.UndefinedTable =>
            (DatabaseNotReady, $"The PostgreSQL database is not migrated ({e.MessageText}). Run `Passerelle.Web migrate`."),
        PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected => (Locked, $"The database is locked: {e.MessageText}"),
        PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientPrivilege => (FileOrPermission, $"PostgreSQL: {e.MessageText}"),
        _ when e.SqlState.StartsWith("28", StringComparison.Ordinal) || e.SqlState.StartsWith("08", StringComparison.Ordinal)
            || e.SqlState.StartsWith("57P", StringComparison.Ordinal) =>
            (DatabaseNotReady, $"Cannot use the PostgreSQL database named in ConnectionStrings:Passerelle: {e.MessageText}"),
        _ => (Unexpected, $"PostgreSQL: {e.MessageText} (run again with --verbose for the details)"),
    };

    // Primary result codes (https://sqlite.org/rescode.html); extended codes keep them in the low byte.
    private static (int, string) Sqlite(SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        5 or 6 => (Locked, $"The SQLite database is locked by another process ({e.Message}). Try again when it has finished."),
        11 or 26 => (DatabaseNotReady, $"The SQLite database file named in ConnectionStrings:Passerelle is damaged or not a database ({e.Message})."),
        3 or 8 or 10 or 13 or 14 or 23 => (FileOrPermission, $"The SQLite database file cannot be written or opened ({e.Message})."),
        1 when e.Message.Contains("no such table", StringComparison.Ordinal) =>
            (DatabaseNotReady, $"The SQLite database is not migrated ({e.Message}). Run `Passerelle.Web migrate`."),
        _ => (Unexpected, $"{e.Message} (run again with --verbose for the details)"),
    };

    /// <summary>Kestrel's own message names the address ("Failed to bind to address http://...: address already in use.").</summary>
    private static string ListenMessage(Exception e, List<Exception> chain) =>
        (chain.FirstOrDefault(x => x is IOException && x.Message.Contains("bind", StringComparison.OrdinalIgnoreCase)) ?? e).Message
        + " Choose another address with --urls (or ASPNETCORE_URLS), or stop what listens there.";

    /// <summary>The failure and its causes, outermost first (every branch of an aggregate).</summary>
    private static IEnumerable<Exception> Chain(Exception e)
    {
        var pending = new Stack<Exception>();
        pending.Push(e);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                {
                    pending.Push(inner);
                }

                if (aggregate.InnerExceptions.Count > 0)
                {
                    continue;
                }
            }

            yield return current;
            if (current.InnerException is { } next)
            {
                pending.Push(next);
            }
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
