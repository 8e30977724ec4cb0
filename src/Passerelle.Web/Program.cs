using Passerelle.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddPasserelle();

var app = builder.Build();

// `dotnet run --project src/Passerelle.Web -- <command>` runs a maintenance command instead of the web host.
if (Commands.Find(args) is { } command)
{
    return await Commands.RunAsync(app, command, args);
}

await app.InitializeDatabaseAsync();
app.UsePasserelle();
await app.RunAsync();
return 0;

public partial class Program;
