using Passerelle.Core.Data;
using Passerelle.Core.DefaultData;

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
                    var result = await initializer.SeedAsync();
                    Console.WriteLine(result.Changed
                        ? $"Default data written: {result.Programmes} programmes, {result.Groupings} groupings, {result.Projects} projects, {result.Organisations} organisations, {result.Facts} facts, {result.Sources} sources."
                        : "Default data unchanged: nothing written.");
                    return 0;
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
        catch (DefaultDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
