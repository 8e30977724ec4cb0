using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Core.DefaultData;
using Passerelle.Core.History;
using Passerelle.Core.Imports;

namespace Passerelle.Web;

/// <summary>
/// Maintenance commands run by the same host as the portal, so they share its configuration:
/// `dotnet run --project src/Passerelle.Web -- migrate` (or the published Passerelle.Web binary with the same words).
/// </summary>
public static class Commands
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["migrate"] = "apply pending database migrations",
        ["seed"] = "load the default data (idempotent)",
        ["import-territories"] = "import NUTS regions, municipalities and programme areas (idempotent, all-or-nothing)",
        ["backup"] = "backup <file>: copy the whole database to a file (SQLite backup API, PostgreSQL pg_dump -Fc)",
        ["restore"] = "restore <file>: replace the database's content with a backup made by `backup`",
        ["import"] = "import projects|partners <file.csv|file.xlsx> [--source-title \"...\"] [--source-url \"...\"]: keep.eu-style tables; exit 2 and nothing written on any error",
        ["reindex"] = "rebuild the search index from the database",
    };

    /// <summary>
    /// The command the arguments name, or null to run the web host: its arguments are then configuration
    /// (<c>--key=value</c>, <c>--key value</c>, <c>/key=value</c>, <c>key=value</c>).
    /// </summary>
    /// <exception cref="UsageException">The first argument is a word that names no command (a typo).</exception>
    public static string? Find(string[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        var first = args[0];
        if (Known.ContainsKey(first) || first is "help" or "--help-commands")
        {
            return first;
        }

        if (first.StartsWith('-') || first.StartsWith('/') || first.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        throw new UsageException($"unknown command '{first}'; the commands are {string.Join(", ", Known.Keys)} (`help` describes them)");
    }

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args)
    {
        if (command is "help" or "--help-commands")
        {
            foreach (var (name, help) in Known)
            {
                Console.WriteLine($"  {name,-20} {help}");
            }

            Console.WriteLine("  --verbose            (anywhere) print stack traces with errors");
            return ExitCodes.Success;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        if (command == "import")
        {
            return await ImportAsync(services, args);
        }

        var positional = Positional(args);
        var expected = command is "backup" or "restore" ? 1 : 0;
        if (positional.Count != expected)
        {
            throw new UsageException(expected == 1 ? $"usage: {command} <file>" : $"usage: {command} (it takes no argument; got '{positional[0]}')");
        }

        // Before anything opens the database: a file that is not a Passerelle database is refused, not migrated.
        services.GetRequiredService<DatabaseFileCheck>().Check();
        var initializer = services.GetRequiredService<DatabaseInitializer>();
        switch (command)
        {
            case "migrate":
                await initializer.MigrateAsync();
                Console.WriteLine("Database migrated.");
                return ExitCodes.Success;
            case "seed":
                // Several instances (or deploy jobs) may seed at once on PostgreSQL: the lock makes them take turns,
                // and the second finds the data current and writes nothing.
                await using (await services.GetRequiredService<WriteLock>().AcquireAsync("seed"))
                {
                    var result = await initializer.SeedAsync(Actor.Command("seed", initializer.DefaultDataPath));
                    Console.WriteLine(result.Changed
                        ? $"Default data written ({result.Programmes} programmes, {result.Groupings} groupings, {result.Projects} projects, {result.Organisations} organisations, {result.Facts} facts, {result.Sources} sources): {result.Revisions} changes recorded."
                        : "Default data unchanged: nothing written.");
                }

                return ExitCodes.Success;
            case "import-territories":
                await using (await services.GetRequiredService<WriteLock>().AcquireAsync("territory import"))
                {
                    var imported = await initializer.ImportTerritoriesAsync(Actor.Command("import-territories"));
                    Console.WriteLine(imported.Changed
                        ? $"Territories imported: {imported.Nuts} NUTS regions, {imported.Municipalities} municipalities, {imported.ProgrammeAreaUnits} programme-area units, {imported.GroupingUnits} grouping municipalities; MEL-Belgium border {imported.BorderKm:F1} km."
                        : "Territory files unchanged: nothing imported.");
                }

                return ExitCodes.Success;
            case "backup":
                await services.GetRequiredService<DatabaseBackup>().BackupAsync(positional[0]);
                Console.WriteLine($"Database backed up to {Path.GetFullPath(positional[0])}.");
                return ExitCodes.Success;
            case "restore":
                var restored = await services.GetRequiredService<DatabaseBackup>().RestoreAsync(positional[0]);
                if (restored.PreviousBackup is { } previous)
                {
                    Console.WriteLine($"The replaced database was backed up to {previous}.");
                }

                Console.WriteLine($"Database restored from {Path.GetFullPath(positional[0])}" +
                    (restored.MigrationsApplied > 0 ? $", then {restored.MigrationsApplied} migration(s) applied" : "") +
                    ". Running instances reload on their next change-feed poll.");
                return ExitCodes.Success;
            default: // reindex
                var indexed = await services.GetRequiredService<Passerelle.Core.Search.SearchIndex>().RebuildAsync();
                Console.WriteLine($"Search index rebuilt: {indexed} documents.");
                return ExitCodes.Success;
        }
    }

    /// <summary>The command's own arguments: after its name, without configuration given as --key=value or /key=value.</summary>
    private static List<string> Positional(string[] args) =>
        [.. args.Skip(1).Where(a => !((a.StartsWith('-') || a.StartsWith('/')) && a.Contains('=', StringComparison.Ordinal)))];

    private const string ImportUsage = "usage: import projects|partners <file.csv|file.xlsx> [--source-title \"...\"] [--source-url \"...\"]";

    /// <summary>`import projects|partners &lt;file&gt; [--source-title "..."] [--source-url "..."]`.</summary>
    private static async Task<int> ImportAsync(IServiceProvider services, string[] args)
    {
        var positional = new List<string>();
        string? title = null, url = null;
        var rest = Positional(args);
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--source-title" when i + 1 < rest.Count:
                    title = rest[++i];
                    break;
                case "--source-url" when i + 1 < rest.Count:
                    url = rest[++i];
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new UsageException($"unknown or incomplete option '{option}'; {ImportUsage}");
                default:
                    positional.Add(rest[i]);
                    break;
            }
        }

        ImportTable? table = positional.FirstOrDefault() switch
        {
            "projects" => ImportTable.Projects,
            "partners" => ImportTable.Partners,
            _ => null,
        };
        if (table is null || positional.Count != 2)
        {
            throw new UsageException(ImportUsage);
        }

        var file = Path.GetFullPath(positional[1]);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Import file not found: {file}", file);
        }

        // The lock before anything touches the database: a second import is told at once that one is running, instead
        // of waiting on SQLite's busy timeout and failing half a minute later with "database is locked".
        await using var held = await services.GetRequiredService<WriteLock>().AcquireAsync("import");
        services.GetRequiredService<DatabaseFileCheck>().Check();

        // The same start-up as the web host (migrations for SQLite, default data into an empty database), so that an
        // import into a new installation finds the programmes.
        await services.GetRequiredService<DatabaseInitializer>().InitializeOnStartAsync();
        var report = await services.GetRequiredService<KeepImporter>()
            .ImportAsync(table.Value, file, new ImportSourceOptions(title, url));
        // The report (with every error's row and column) on stdout; the failure's one line on stderr.
        Console.Out.Write(report.Format());
        if (!report.Succeeded)
        {
            Console.Error.WriteLine($"error: {report.File}: {report.ErrorCount} {(report.ErrorCount == 1 ? "error" : "errors")} in the file (listed above); nothing was written.");
            return ExitCodes.BadInput;
        }

        return ExitCodes.Success;
    }
}
