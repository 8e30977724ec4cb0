using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;

namespace Passerelle.Core.OpenData.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The open-data catalogue: its queries, its cache, and the <c>OpenData:</c> settings, checked at start.</summary>
    public static IServiceCollection AddPasserelleCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CatalogQueries>();
        services.AddRegistryValue<DataCatalog>(CatalogQueries.ComputeAsync, keep: CatalogJson.Options);
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogOptionsValidator>();
        return services;
    }
}

internal sealed class CatalogOptionsValidator : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PublisherName))
        {
            failures.Add($"{CatalogOptions.Section}:PublisherName must not be empty");
        }

        var licence = options.Licence ?? "";
        var isCode = licence.Length > 0 && licence.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.');
        var isAddress = Uri.TryCreate(licence, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (!isCode && !isAddress)
        {
            failures.Add($"{CatalogOptions.Section}:Licence '{licence}' must be a code of the EU licence table (e.g. CC_BY_4_0) or an http(s) address");
        }

        if (options.ContactEmail is { Length: > 0 } email && (email.Count(c => c == '@') != 1 || email.Any(c => char.IsWhiteSpace(c) || c is '<' or '>' or '"')))
        {
            failures.Add($"{CatalogOptions.Section}:ContactEmail '{email}' is not an e-mail address");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
