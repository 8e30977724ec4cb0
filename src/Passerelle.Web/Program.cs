using Passerelle.Core.Data;
using Passerelle.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddPasserelle();

var app = builder.Build();

// `dotnet run --project src/Passerelle.Web -- <command>` runs a maintenance command instead of the web host.
if (Commands.Find(args) is { } command)
{
    return await Commands.RunAsync(app, command, args);
}

// The database is migrated (SQLite, or Database:MigrateOnStart) or checked, and seeded, by DatabaseStartupService
// when the host starts, before it serves a request.
app.UsePasserelle();
try
{
    await app.RunAsync();
}
catch (DatabaseNotReadyException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}

return 0;

public partial class Program;
