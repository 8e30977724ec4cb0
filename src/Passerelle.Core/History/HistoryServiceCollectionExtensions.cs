using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;

namespace Passerelle.Core.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>The back office's history of records, restore of versions, and the audit log.</summary>
    public static IServiceCollection AddPasserelleHistory(this IServiceCollection services)
    {
        services.AddScoped<HistoryQueries>();
        services.AddScoped<VersionRestore>();
        services.AddScoped<AuditTrail>();
        return services;
    }
}
