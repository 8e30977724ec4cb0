using Passerelle.Web;

// `--verbose` (anywhere) asks for stack traces; it is removed before the host reads the rest as configuration, where
// "--verbose migrate" would otherwise set a key "verbose" to "migrate".
var verbose = args.Contains("--verbose", StringComparer.Ordinal);
args = [.. args.Where(a => a != "--verbose")];

// One handler for everything the process does: configuration, host build, commands and the web host's run. Every
// failure ends with one `error:` line on stderr and a documented exit code (ExitCodes, README "Commands").
try
{
    // `dotnet run --project src/Passerelle.Web -- <command>` runs a maintenance command instead of the web host.
    var command = Commands.Find(args);
    var builder = WebApplication.CreateBuilder(args);
    if (verbose)
    {
        builder.Configuration.AddInMemoryCollection([new("Logging:StackTraces", "true")]);
    }

    builder.AddPasserelle();
    var app = builder.Build();

    if (command is not null)
    {
        return await Commands.RunAsync(app, command, args);
    }

    // The database file is checked, migrated (SQLite, or Database:MigrateOnStart) or checked for pending migrations,
    // and seeded, by hosted services when the host starts, before it serves a request.
    app.UsePasserelle();
    await app.RunAsync();
    return ExitCodes.Success;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // HostAbortedException is how WebApplicationFactory stops this entry point once it has the host: not a failure.
    var (code, message) = ExitCodes.Classify(e);
    if (verbose)
    {
        Console.Error.WriteLine(e);
    }

    Console.Error.WriteLine($"error: {message}");
    return code;
}

public partial class Program;
