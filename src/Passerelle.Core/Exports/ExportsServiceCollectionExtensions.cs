using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Imports;

namespace Passerelle.Core.Exports;

public static class ExportsServiceCollectionExtensions
{
    /// <summary>The open-data exports (list, keep.eu-style, Art. 49(3) operations) and the keep.eu-style importer.</summary>
    public static IServiceCollection AddPasserelleExports(this IServiceCollection services)
    {
        services.AddScoped<ListExports>();
        services.AddScoped<KeepTables>();
        services.AddScoped<OperationsList>();
        services.AddScoped<KeepImporter>();
        services.AddScoped<KohesioCsv>();
        services.AddScoped<KohesioImporter>();
        return services;
    }
}
