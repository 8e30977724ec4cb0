using Passerelle.Core.Common;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// A text of the catalogue: an interface-text key (Localization/{en,fr,nl,de}.json, <c>catalog.*</c>) and its
/// arguments; a <see cref="LocalizedText"/> argument (a programme's name) is taken in the text's language where a
/// source gives it, else in another; a <see cref="CatalogText"/> argument (a chart's name) is worded in the same language.
/// </summary>
public sealed record CatalogText(string Key, params object?[] Args)
{
    /// <summary>The text in one language.</summary>
    public string In(string language, ICatalogTexts texts) =>
        texts.Format(language, Key, [.. Args.Select(a => a switch
        {
            LocalizedText localized => localized.Best(language),
            CatalogText nested => nested.In(language, texts),
            _ => a,
        })]);
}

/// <summary>The interface texts the catalogue is worded with, in each language (the web host's UiText).</summary>
public interface ICatalogTexts
{
    string Format(string language, string key, params object?[] args);
}

public enum DistributionFormat
{
    Csv,
    Xlsx,
    Json,
    GeoJson,
}

/// <summary>Whose terms a dataset is published under (see <see cref="CatalogOptions"/> and ADR 27).</summary>
public enum DatasetTerms
{
    /// <summary>The registry's own compilation: <see cref="CatalogOptions.Licence"/>.</summary>
    Registry,

    /// <summary>The publishers' geodata (GISCO, Statbel, IGN/INSEE): their terms, © EuroGeographics for the boundaries.</summary>
    Boundaries,
}

/// <summary>One file or API answer of a dataset.</summary>
/// <param name="Id">The fragment of its IRI in the catalogue ("projects-csv").</param>
/// <param name="Path">The address under the site's root, with its query ("/api/v1/exports/operations.csv?programme=fwv-2014-2020").</param>
/// <param name="IsDownload">A whole file (dcat:downloadURL too); false for a paged API answer (dcat:accessURL only).</param>
public sealed record CatalogDistribution(string Id, CatalogText Title, DistributionFormat Format, string Path, bool IsDownload);

/// <param name="Id">The fragment of its IRI in the catalogue ("projects", "operations-fwv-2014-2020").</param>
/// <param name="Themes">Codes of the EU data-theme authority table (REGI, GOVE).</param>
/// <param name="Countries">ISO 3166-1 alpha-2 codes as the registry writes them (EL, UK).</param>
/// <param name="NutsCodes">NUTS 2021 codes of the area the data covers.</param>
/// <param name="TemporalStart">The earliest date the data covers, an ISO partial date ("2016", "2016-05", "2016-05-01"); null when not known.</param>
/// <param name="Issued">The first change the registry recorded in the data (UTC); null when it recorded none.</param>
/// <param name="Modified">The last such change (UTC).</param>
/// <param name="LandingPage">The portal page that shows the data ("/projects").</param>
/// <param name="Legislation">The ELI of the regulations that make the data a publication duty (dcatap:applicableLegislation): a list of operations.</param>
public sealed record CatalogDataset(
    string Id,
    CatalogText Title,
    CatalogText Description,
    IReadOnlyList<string> Themes,
    IReadOnlyList<string> Countries,
    IReadOnlyList<string> NutsCodes,
    string? TemporalStart,
    string? TemporalEnd,
    DateTime? Issued,
    DateTime? Modified,
    string LandingPage,
    IReadOnlyList<string> Legislation,
    DatasetTerms Terms,
    IReadOnlyList<CatalogDistribution> Distributions);

/// <summary>The catalogue of Passerelle's open data, as the registry holds it now.</summary>
public sealed record DataCatalog(DateTime? Issued, DateTime? Modified, IReadOnlyList<CatalogDataset> Datasets);

public static class DistributionFormats
{
    public static string MediaType(this DistributionFormat format) => format switch
    {
        DistributionFormat.Csv => "text/csv",
        DistributionFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        DistributionFormat.Json => "application/json",
        _ => "application/geo+json",
    };

    /// <summary>The code in the EU file-type authority table (http://publications.europa.eu/resource/authority/file-type/).</summary>
    public static string FileType(this DistributionFormat format) => format switch
    {
        DistributionFormat.Csv => "CSV",
        DistributionFormat.Xlsx => "XLSX",
        DistributionFormat.Json => "JSON",
        _ => "GEOJSON",
    };

    /// <summary>The name people know the format by (CSV, XLSX, JSON, GeoJSON).</summary>
    public static string Label(this DistributionFormat format) => format == DistributionFormat.GeoJson ? "GeoJSON" : format.FileType();
}
