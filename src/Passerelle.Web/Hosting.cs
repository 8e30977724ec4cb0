using System.Text.Json.Serialization;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

using Passerelle.Core;
using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData.Catalog;
using Passerelle.Core.Search;
using Passerelle.Core.Territories;
using Passerelle.Web.Api;
using Passerelle.Web.Areas.Admin;
using Passerelle.Web.Mail;
using Passerelle.Web.Portal;
using Passerelle.Web.Security;

namespace Passerelle.Web;

public static class Hosting
{
    public static WebApplicationBuilder AddPasserelle(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Exceptions in the console log on one line; stack traces with Logging:StackTraces (or --verbose).
        builder.Logging.AddConsole(o => o.FormatterName ??= ConsoleLogFormatter.FormatterName)
            .AddConsoleFormatter<ConsoleLogFormatter, ConsoleLogFormatterOptions>();
        services.AddOptions<ConsoleLogFormatterOptions>()
            .Configure<IConfiguration>((o, configuration) => o.StackTraces |= configuration.GetValue<bool>("Logging:StackTraces"));
        var paths = builder.Configuration.GetSection(DataPathOptions.Section).Get<DataPathOptions>() ?? new DataPathOptions();
        services.AddPasserelleData(builder.Configuration, builder.Environment.ContentRootPath);
        var territories = builder.Configuration.GetSection(TerritoryDataOptions.Section).Get<TerritoryDataOptions>() ?? new TerritoryDataOptions();
        // Development and CI read the publishers' geodata from the shared folder; an installation without one sets
        // Territories:DataPath or downloads the files.
        territories.DataPath ??= DataPaths.FindSharedData();
        if (!Path.IsPathRooted(territories.CachePath))
        {
            territories.CachePath = Path.Combine(builder.Environment.ContentRootPath, territories.CachePath);
        }

        services.AddPasserelleDefaultData(paths, territories);
        services.AddPasserelleTerritoryIndex();
        services.AddPasserelleChangeFeed(builder.Configuration);
        // Keys in the database: every instance behind a load balancer reads cookies and antiforgery tokens issued by
        // any other, and keys survive redeploys. The application name isolates them from other apps on the same keys.
        services.AddDataProtection().PersistKeysToDbContext<PasserelleDbContext>().SetApplicationName("Passerelle");
        services.AddPasserelleQueries();
        services.AddPasserelleExports();
        services.AddPasserelleCatalog(builder.Configuration);
        services.AddSingleton<CatalogDocuments>();
        services.AddPasserelleSearch(builder.Configuration, builder.Environment.ContentRootPath);

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            if (context.ProblemDetails.Status == StatusCodes.Status500InternalServerError)
            {
                context.ProblemDetails.Extensions.TryAdd("errorCode", ErrorCodes.InternalError);
            }
        });
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Passerelle open-data API";
            document.Info.Description =
                "Programmes, cooperation groupings, projects and organisations of European territorial cooperation, " +
                "each value with its source. Errors are RFC 9457 problem details with a stable errorCode.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddCheck<ServiceStatusHealthCheck>("data");
        services.AddPasserelleBackOffice();
        services.AddPasserelleOpenIdConnect(builder.Configuration);
        services.AddPasserelleMail(builder.Configuration);
        builder.AddPasserelleSecurity();
        services.AddRazorPages(o => o.RootDirectory = "/Portal/Pages")
            .AddRazorPagesOptions(o =>
            {
                o.Conventions.Add(new LanguageRouteConvention());
                o.Conventions.AddFolderApplicationModelConvention("/", model => model.Filters.Add(new AcceptLanguageRedirect()));
                o.Conventions.AddAdminConventions();
            });
        return builder;
    }

    public static WebApplication UsePasserelle(this WebApplication app)
    {
        app.UsePasserelleSecurity();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // API callers get problem details; people get the portal's error page. Neither sees a stack trace.
            ExceptionHandlingPath = "/error",
            StatusCodeSelector = _ => StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCatalogLinks();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteAsync });
        app.MapReadiness();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapApiReference();
        app.MapSearchEndpoints();
        app.MapApiV1();
        app.MapCatalogEndpoints();
        app.MapRazorPages();
        StartWarmUp.Begin(app.Services, BuildEndpointsOnce(app));
        return app;
    }

    /// <summary>
    /// The routing matcher and the authorization middleware each read every data source's endpoints, and a minimal API
    /// data source builds its endpoints anew on each read: the second build came with the first request, about a
    /// quarter of a second at every start (ADR 36). One composite over all of them reads each once and keeps the
    /// result (rebuilt only when a source signals a change, as Razor Pages' does in development).
    /// </summary>
    private static CompositeEndpointDataSource BuildEndpointsOnce(WebApplication app)
    {
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        var all = sources.ToList();
        sources.Clear();
        var composite = new CompositeEndpointDataSource(all);
        sources.Add(composite);
        return composite;
    }
}
