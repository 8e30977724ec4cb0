using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Data;

using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Themes;

namespace Passerelle.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>The read services of each feature; they call the DbContext directly.</summary>
    public static IServiceCollection AddPasserelleQueries(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Common.ServiceStatus>();
        services.AddScoped<ProjectQueries>();
        services.AddScoped<ProgrammeQueries>();
        services.AddScoped<GroupingQueries>();
        services.AddScoped<OrganisationQueries>();
        services.AddScoped<ThemeQueries>();
        services.AddScoped<History.HistoryQueries>();
        services.AddScoped<Editing.EditorQueries>();
        services.AddScoped<Editing.RecordEditor>();
        services.AddScoped<Editions.EditionService>();
        services.AddScoped<Statistics.StatisticsService>();
        services.AddScoped<Statistics.KeyFigures>();
        services.AddScoped<Data.RegistryRead>();
        // The values computed from the whole registry (ADR 33), in the order the warm-up computes them: cheap first.
        // Those that take seconds at Kohesio's size are kept in the database for the next start (ADR 37).
        var keep = KeptRegistryValues.Json;
        services.AddRegistryValue<Projects.PublishedProjectCount>(ProjectQueries.CountPublishedAsync, keep);
        services.AddRegistryValue<Organisations.PublishedOrganisationCount>(OrganisationQueries.CountPublishedAsync, keep);
        services.AddRegistryValue<Programmes.ProjectCountsByProgramme>(ProgrammeQueries.CountProjectsAsync, keep);
        services.AddRegistryValue<Themes.ProjectCountsByTheme>(ThemeQueries.CountProjectsAsync, keep);
        services.AddRegistryValue<Projects.ProjectListAnchors>(ProjectQueries.ReadAnchorsAsync, keep);
        services.AddRegistryValue<Organisations.OrganisationListAnchors>(OrganisationQueries.ReadAnchorsAsync, keep);
        services.AddRegistryValue<Programmes.PublishedProgrammesWithFacts>(ProgrammeQueries.ReadWithFactsAsync);
        services.AddRegistryValue<Projects.FirstPublishedProjects>(ProjectQueries.ReadFirstAsync);
        services.AddRegistryValue<Statistics.KeyFigureSet>(Statistics.KeyFigures.ComputeAsync, keep);
        services.AddOptions<Data.RegistryCacheOptions>().BindConfiguration(Data.RegistryCacheOptions.Section)
            .Validate(o => o.WaitForCurrent >= TimeSpan.Zero, $"{Data.RegistryCacheOptions.Section}:WaitForCurrent must not be negative")
            .ValidateOnStart();
        services.AddHostedService<Data.RegistryWarmUp>();
        return services;
    }
}
