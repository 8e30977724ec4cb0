using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;

namespace Passerelle.Core.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>The back office's audit log (the history of records is read by <see cref="HistoryQueries"/>, a Core query service).</summary>
    public static IServiceCollection AddPasserelleHistory(this IServiceCollection services)
    {
        services.AddScoped<AuditTrail>();
        return services;
    }
}
