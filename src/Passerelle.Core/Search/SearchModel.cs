using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

public enum SearchDocType
{
    Programme = 0,
    Project = 1,
    Organisation = 2,
    Grouping = 3,

    /// <summary>A NUTS region or a municipality: found by its names and code, not a record of the registry.</summary>
    Territory = 4,
}

/// <summary>
/// The facet dimensions, in display order. A new dimension (the NUTS region facet, with the territories issue) is one
/// entry here, one in <see cref="SearchFacets.Names"/> and one list on <see cref="SearchDocument"/>: the counting code
/// is generic over dimensions.
/// </summary>
public enum SearchFacet
{
    Type = 0,
    Programme = 1,
    Period = 2,
    Kind = 3,
    Theme = 4,
    Country = 5,
    Status = 6,
    Role = 7,
    Budget = 8,

    /// <summary>NUTS 2 regions: of a partner's city for projects and organisations, of the area for programmes.</summary>
    Region = 9,
}

public static class SearchFacets
{
    /// <summary>The URL parameter and JSON key of each dimension, indexed by <see cref="SearchFacet"/>.</summary>
    public static readonly string[] Names =
        ["type", "programme", "period", "kind", "theme", "country", "status", "role", "budget", "region"];

    public static readonly IReadOnlyList<SearchFacet> All = Enum.GetValues<SearchFacet>();

    public static string Name(this SearchFacet facet) => Names[(int)facet];

    public static SearchFacet? Parse(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i < 0 ? null : (SearchFacet)i;
    }

    public static string TypeValue(SearchDocType type) => type switch
    {
        SearchDocType.Programme => "programme",
        SearchDocType.Project => "project",
        SearchDocType.Grouping => "grouping",
        SearchDocType.Territory => "territory",
        _ => "organisation",
    };

    /// <summary>
    /// The registry's own records. A search without words lists only these unless the type filter asks for places:
    /// browsing the registry should not list its thousands of regions and municipalities first (their count still
    /// shows under the type facet, to tick).
    /// </summary>
    public static readonly IReadOnlyList<string> RecordTypes = ["programme", "grouping", "project", "organisation"];

    /// <summary>The values of the type facet.</summary>
    public static readonly IReadOnlyList<string> TypeValues = [.. RecordTypes, "territory"];

    /// <summary>The kind of a territory unit, a value of the kind facet: country, nuts1, nuts2, nuts3 or municipality.</summary>
    public static string TerritoryKindValue(Territories.TerritoryKind kind) => kind switch
    {
        Territories.TerritoryKind.Nuts0 => "country",
        Territories.TerritoryKind.Nuts1 => "nuts1",
        Territories.TerritoryKind.Nuts2 => "nuts2",
        Territories.TerritoryKind.Nuts3 => "nuts3",
        _ => "municipality",
    };

    /// <summary>Budget bands in EUR; "unknown" is a band of its own so that a missing budget is never read as zero.</summary>
    public static string BudgetBand(decimal? budget) => budget switch
    {
        null => "unknown",
        < 100_000m => "lt-100k",
        < 1_000_000m => "100k-1m",
        < 5_000_000m => "1m-5m",
        _ => "gt-5m",
    };

    internal static readonly Dictionary<string, string> FixedLabels = new(StringComparer.Ordinal)
    {
        ["programme"] = "Programme",
        ["project"] = "Project",
        ["organisation"] = "Organisation",
        ["grouping"] = "Cooperation grouping",
        ["territory"] = "Region or municipality",
        ["egtc"] = "EGTC",
        ["country"] = "Country",
        ["nuts1"] = "Region (NUTS 1)",
        ["nuts2"] = "Region (NUTS 2)",
        ["nuts3"] = "Region (NUTS 3)",
        ["municipality"] = "Municipality",
        ["unknown"] = "Not known",
        ["lt-100k"] = "Under EUR 100,000",
        ["100k-1m"] = "EUR 100,000 to 1 million",
        ["1m-5m"] = "EUR 1 to 5 million",
        ["gt-5m"] = "Over EUR 5 million",
        ["planned"] = "Planned",
        ["ongoing"] = "Ongoing",
        ["closed"] = "Closed",
        ["lead-partner"] = "Lead partner",
        ["partner"] = "Partner",
        ["associated-partner"] = "Associated partner",
        ["cross-border"] = "Cross-border",
        ["transnational"] = "Transnational",
        ["interregional"] = "Interregional",
        ["network"] = "Network",
    };
}

/// <summary>
/// One record as the index sees it, flattened from the database (or from the benchmark's synthetic generator).
/// Text goes to per-language fields; facet values are plain strings mapped to ordinals per searcher.
/// </summary>
public sealed record SearchDocument
{
    public required SearchDocType Type { get; init; }
    public required int Id { get; init; }
    public required string Slug { get; init; }

    /// <summary>Language-neutral name: a project's acronym, a programme's code, an organisation's name.</summary>
    public required string Name { get; init; }

    public LocalizedText Title { get; init; } = LocalizedText.Empty;
    public LocalizedText Summary { get; init; } = LocalizedText.Empty;

    /// <summary>Other language-neutral searchable names: partner names, aliases, a city.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>
    /// Other names of the record itself, ranked like its name: another source's name, the legal form's abbreviations
    /// in each language (EGTC, GECT, EGTS, EVTZ), a place's name in its other language and its code.
    /// </summary>
    public IReadOnlyList<string> AltNames { get; init; } = [];

    /// <summary>Related localized texts searched but not shown: the programme's name, theme labels.</summary>
    public IReadOnlyList<LocalizedText> Related { get; init; } = [];

    /// <summary>A short line shown under the title ("FWV · 2014-2020", "BE · Kortrijk").</summary>
    public string? Subtitle { get; init; }

    public string? Programme { get; init; }
    public string? Period { get; init; }
    public string? Kind { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<string> Themes { get; init; } = [];
    public IReadOnlyList<string> Countries { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>NUTS 2021 level-2 codes (see <see cref="SearchFacet.Region"/>).</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>ISO partial date, see <see cref="PartialDate"/>.</summary>
    public string? StartDate { get; init; }

    public decimal? Budget { get; init; }

    /// <summary>What the statistics sum and count (Statistics/, ADR 22); not searched, not faceted.</summary>
    public IndexedFigures? Figures { get; init; }

    /// <summary>The document's key in the index: type and id, or type and code for a territory (keyed by its code).</summary>
    public string Key => Type == SearchDocType.Territory ? KeyOf(Type, Slug) : KeyOf(Type, Id);

    public static string KeyOf(SearchDocType type, int id) => KeyOf(type, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string KeyOf(SearchDocType type, string id) => $"{SearchFacets.TypeValue(type)}:{id}";

    /// <summary>The facet values of one dimension; the switch is the one place a new dimension is read.</summary>
    public IEnumerable<string> ValuesOf(SearchFacet facet)
    {
        switch (facet)
        {
            case SearchFacet.Type: return [SearchFacets.TypeValue(Type)];
            case SearchFacet.Programme: return Programme is null ? [] : [Programme];
            case SearchFacet.Period: return Period is null ? [] : [Period];
            case SearchFacet.Kind: return Kind is null ? [] : [Kind];
            case SearchFacet.Theme: return Themes;
            case SearchFacet.Country: return Countries;
            case SearchFacet.Status: return Status is null ? [] : [Status];
            case SearchFacet.Role: return Roles;
            // Only programmes and projects have a budget; "unknown" is for those whose budget no source gives.
            case SearchFacet.Budget: return Type is SearchDocType.Programme or SearchDocType.Project ? [SearchFacets.BudgetBand(Budget)] : [];
            case SearchFacet.Region: return Regions;
            default: return [];
        }
    }
}

public enum SearchSort
{
    Relevance = 0,
    StartDesc = 1,
    StartAsc = 2,
    BudgetDesc = 3,
    BudgetAsc = 4,
}

public static class SearchSorts
{
    public static readonly string[] Names = ["relevance", "start-desc", "start-asc", "budget-desc", "budget-asc"];

    public static string Name(this SearchSort sort) => Names[(int)sort];

    public static SearchSort? Parse(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return SearchSort.Relevance;
        }

        var i = Array.IndexOf(Names, name);
        return i < 0 ? null : (SearchSort)i;
    }
}

/// <summary>
/// A search: free text (may be empty: everything), filters per dimension (values OR-ed within a dimension, AND-ed
/// across), a sort and a page. <paramref name="Language"/> chooses the language of titles, snippets and labels.
/// <paramref name="FacetLimit"/> lists only that many values per dimension, the most frequent (ticked values always),
/// except the dimension <paramref name="FacetExpanded"/>, listed in full; the result says how many each has.
/// </summary>
public sealed record SearchQuery(
    string? Text,
    IReadOnlyDictionary<SearchFacet, IReadOnlyList<string>>? Filters = null,
    SearchSort Sort = SearchSort.Relevance,
    int Page = 1,
    int PageSize = 20,
    string Language = "en",
    int FacetLimit = SearchQuery.AllFacetValues,
    SearchFacet? FacetExpanded = null)
{
    /// <summary>No limit on the values listed per facet (<see cref="FacetLimit"/>).</summary>
    public const int AllFacetValues = int.MaxValue;

    /// <summary>Deep pages cost a heap as large as page × pageSize; beyond this, narrow the search instead.</summary>
    public const int MaxWindow = 10_000;

    public static string? Validate(int page, int pageSize) =>
        page < 1 ? "page must be 1 or more"
        : pageSize is < 1 or > PageRequest.MaxSize ? $"pageSize must be between 1 and {PageRequest.MaxSize}"
        : (long)page * pageSize > MaxWindow ? $"page × pageSize must not exceed {MaxWindow}; narrow the search instead"
        : null;
}

/// <summary>
/// One result. <paramref name="Kind"/> says what it is within its type, as the kind facet's value: a programme's kind
/// (cross-border, ...), "egtc" for a grouping with that legal form, a territory's level (country, nuts1, nuts2,
/// nuts3, municipality); a territory's <paramref name="Slug"/> is its code.
/// </summary>
public sealed record SearchHit(
    SearchDocType Type,
    string Slug,
    string Title,
    string? TitleLanguage,
    string? Subtitle,
    string? SnippetHtml,
    string? SnippetLanguage,
    string? StartDate,
    decimal? Budget,
    float Score,
    string? Kind = null);

public sealed record FacetCount(string Value, string Label, int Count, bool Selected);

/// <summary>
/// A page of hits, the exact total, and per dimension its values (see <see cref="SearchQuery.FacetLimit"/>) and in
/// <paramref name="FacetSizes"/> how many values it has for this search in all.
/// </summary>
public sealed record SearchResult(
    IReadOnlyList<SearchHit> Items,
    int Page,
    int PageSize,
    int Total,
    IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Facets,
    IReadOnlyDictionary<string, int> FacetSizes)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}
