using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Passerelle.Core.Imports;

namespace Passerelle.Core.Exports;

public static class ExportsServiceCollectionExtensions
{
    /// <summary>The open-data exports (list, keep.eu-style, Art. 49(3) operations), their published files and the importers.</summary>
    public static IServiceCollection AddPasserelleExports(this IServiceCollection services)
    {
        services.AddScoped<ListExports>();
        services.AddScoped<KeepTables>();
        services.AddScoped<OperationsList>();
        services.AddScoped<KeepImporter>();
        services.AddScoped<KohesioCsv>();
        services.AddScoped<KohesioImporter>();
        services.AddSingleton<ExportFiles>();
        services.AddSingleton<ExportParts>();
        services.AddOptions<ExportFilesOptions>().BindConfiguration(ExportFilesOptions.Section)
            .Configure<IHostEnvironment>((o, environment) => o.FullFilesPath = string.IsNullOrWhiteSpace(o.FilesPath)
                ? null
                : Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.FilesPath)));
        return services;
    }
}
