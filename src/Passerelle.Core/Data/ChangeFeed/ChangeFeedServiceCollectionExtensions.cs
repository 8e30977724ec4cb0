using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Passerelle.Core.Data.ChangeFeed;

public static class ChangeFeedServiceCollectionExtensions
{
    /// <summary>The listener as a hosted service (web host only: commands do not start hosted services).</summary>
    public static IServiceCollection AddPasserelleChangeFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(ChangeFeedOptions.Section).Get<ChangeFeedOptions>() ?? new ChangeFeedOptions());
        services.AddSingleton<ChangeFeedListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeedListener>());
        return services;
    }
}
