using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Core.DefaultData;
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

    public static string? Find(string[] args) =>
        args.Length > 0 && (Known.ContainsKey(args[0]) || args[0] is "help" or "--help-commands") ? args[0] : null;

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var initializer = services.GetRequiredService<DatabaseInitializer>();
        try
        {
            switch (command)
            {
                case "migrate":
                    await initializer.MigrateAsync();
                    Console.WriteLine("Database migrated.");
                    return 0;
                case "seed":
                    var result = await initializer.SeedAsync(Passerelle.Core.History.Actor.Command("seed", initializer.DefaultDataPath));
                    Console.WriteLine(result.Changed
                        ? $"Default data written ({result.Programmes} programmes, {result.Groupings} groupings, {result.Projects} projects, {result.Organisations} organisations, {result.Facts} facts, {result.Sources} sources): {result.Revisions} changes recorded."
                        : "Default data unchanged: nothing written.");
                    return 0;
                case "import-territories":
                    var imported = await initializer.ImportTerritoriesAsync(Passerelle.Core.History.Actor.Command("import-territories"));
                    Console.WriteLine(imported.Changed
                        ? $"Territories imported: {imported.Nuts} NUTS regions, {imported.Municipalities} municipalities, {imported.ProgrammeAreaUnits} programme-area units, {imported.GroupingUnits} grouping municipalities; MEL-Belgium border {imported.BorderKm:F1} km."
                        : "Territory files unchanged: nothing imported.");
                    return 0;
                case "backup" or "restore":
                    if (args.Length < 2 || string.IsNullOrWhiteSpace(args[1]))
                    {
                        Console.Error.WriteLine($"error: usage: {command} <file>");
                        return 2;
                    }

                    var backup = services.GetRequiredService<DatabaseBackup>();
                    if (command == "backup")
                    {
                        await backup.BackupAsync(args[1]);
                        Console.WriteLine($"Database backed up to {Path.GetFullPath(args[1])}.");
                    }
                    else
                    {
                        await backup.RestoreAsync(args[1]);
                        Console.WriteLine($"Database restored from {Path.GetFullPath(args[1])}. Running instances reload on their next change-feed poll.");
                    }

                    return 0;
                case "import":
                    return await ImportAsync(services, initializer, args);
                case "reindex":
                    var indexed = await services.GetRequiredService<Passerelle.Core.Search.SearchIndex>().RebuildAsync();
                    Console.WriteLine($"Search index rebuilt: {indexed} documents.");
                    return 0;
                default:
                    foreach (var (name, help) in Known)
                    {
                        Console.WriteLine($"  {name,-20} {help}");
                    }

                    return 0;
            }
        }
        catch (Exception e) when (e is DefaultDataException or BackupException or Passerelle.Core.Territories.TerritoryImportException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>`import projects|partners &lt;file&gt; [--source-title "..."] [--source-url "..."]`.</summary>
    private static async Task<int> ImportAsync(IServiceProvider services, DatabaseInitializer initializer, string[] args)
    {
        var positional = new List<string>();
        string? title = null, url = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--source-title" when i + 1 < args.Length:
                    title = args[++i];
                    break;
                case "--source-url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                default:
                    positional.Add(args[i]);
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
            Console.Error.WriteLine("usage: import projects|partners <file.csv|file.xlsx> [--source-title \"...\"] [--source-url \"...\"]");
            return 2;
        }

        // The same start-up as the web host (migrations for SQLite, default data into an empty database), so that an
        // import into a new installation finds the programmes.
        await initializer.InitializeOnStartAsync();
        var report = await services.GetRequiredService<KeepImporter>()
            .ImportAsync(table.Value, Path.GetFullPath(positional[1]), new ImportSourceOptions(title, url));
        (report.Succeeded ? Console.Out : Console.Error).Write(report.Format());
        return report.Succeeded ? 0 : 2;
    }
}
