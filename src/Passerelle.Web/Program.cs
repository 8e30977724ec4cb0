using Passerelle.Core.Data;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPasserelleData(builder.Configuration, builder.Environment.ContentRootPath);
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.Run();

public partial class Program;
