using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Programmes;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Eligibility;

/// <summary>
/// Which units contain a place and which programmes and groupings cover it, said in words. The place is a name (the
/// place search: a plain GET form listing the matches, with suggestions as one types where scripts run), a point (typed
/// with a decimal point or comma, or clicked on the map) or a NUTS or municipality code.
/// </summary>
public sealed partial class IndexModel(EligibilityFinder finder) : PortalPage
{
    /// <summary>How many places a name search lists to choose from.</summary>
    public const int MatchLimit = 20;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lat { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lon { get; set; }
    [BindProperty(SupportsGet = true)] public string? Nuts { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lau { get; set; }

    public EligibilityResult? Result { get; private set; }

    /// <summary>The names of the groupings whose territory contains the place (the result has their slugs).</summary>
    public IReadOnlyDictionary<string, LocalizedText> GroupingNames { get; private set; } = new Dictionary<string, LocalizedText>();
    public Dictionary<string, string> Errors { get; } = [];

    /// <summary>The places a name search found (several: to choose from; with an answer: the other candidates).</summary>
    public IReadOnlyList<PlaceMatch> Matches { get; private set; } = [];

    /// <summary>Whether a name search ran (and found <see cref="Matches"/>, maybe none).</summary>
    public bool Searched { get; private set; }

    /// <summary>The place the answer is about: the unit asked for (by code or name), or the deepest unit containing the point.</summary>
    public TerritoryUnit? Place { get; private set; }

    /// <summary>Whether the answer is about a point (a marker there) rather than a unit.</summary>
    public bool ByPoint { get; private set; }

    /// <summary>The areas the map draws: the chosen place's programmes' (not network programmes: whole countries), or, before any question, the current cooperation programmes'.</summary>
    public IReadOnlyList<ProgrammeArea> MapAreas { get; private set; } = [];

    private TerritoryIndex.Snapshot? _snapshot;

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories => finder.Availability;

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Territories != TerritoryAvailability.Available)
        {
            return;
        }

        _snapshot = await HttpContext.RequestServices.GetRequiredService<TerritoryIndex>().GetAsync(ct);
        var asked = !string.IsNullOrWhiteSpace(Lat) || !string.IsNullOrWhiteSpace(Lon) || !string.IsNullOrWhiteSpace(Nuts) || !string.IsNullOrWhiteSpace(Lau);
        if (!asked && !string.IsNullOrWhiteSpace(Q))
        {
            await SearchAsync(Q, ct);
        }
        else if (asked)
        {
            await AnswerAsync(ct);
        }

        MapAreas = Result is null
            ? CurrentCooperationAreas(_snapshot)
            : Programmes.Where(p => p.Kind != ProgrammeKind.Network)
                .Select(p => _snapshot.ProgrammeAreas.First(a => a.Slug == p.Slug))
                .OrderByDescending(a => a.Period, StringComparer.Ordinal).ThenBy(a => a.Kind).ThenBy(a => a.Code, StringComparer.Ordinal).Take(3).ToList();
    }

    private async Task SearchAsync(string query, CancellationToken ct)
    {
        if (query.Length > 100)
        {
            Errors[nameof(Q)] = T("place.error_query_long");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Searched = true;
        Matches = await finder.FindPlacesAsync(query, MatchLimit, ct);
        // One place with exactly this name (in any language): the answer at once, the other matches beside it.
        if (Matches is [{ Match: PlaceMatchKind.Exact } first, ..] && Matches.Count(m => m.Match == PlaceMatchKind.Exact) == 1)
        {
            var municipality = first.Unit.Kind == TerritoryKind.Municipality;
            var (result, _) = await finder.ByCodeAsync(first.Unit.Code, municipality, ct);
            Result = result;
            Place = first.Unit;
            Matches = Matches.Skip(1).ToList();
        }
    }

    private async Task AnswerAsync(CancellationToken ct)
    {
        (EligibilityResult? Result, EligibilityError Error) answer;
        if (!string.IsNullOrWhiteSpace(Nuts))
        {
            answer = await finder.ByCodeAsync(Nuts, municipality: false, ct);
            Report(answer.Error, nameof(Nuts));
        }
        else if (!string.IsNullOrWhiteSpace(Lau))
        {
            answer = await finder.ByCodeAsync(Lau, municipality: true, ct);
            Report(answer.Error, nameof(Lau));
        }
        else
        {
            // "50,63" as a French, Dutch or German visitor types it, or "50.63".
            var latOk = DecimalText.TryParse(Lat, out var lat);
            var lonOk = DecimalText.TryParse(Lon, out var lon);
            if (!latOk)
            {
                Errors[nameof(Lat)] = T("place.error_latitude_number");
            }

            if (!lonOk)
            {
                Errors[nameof(Lon)] = T("place.error_longitude_number");
            }

            if (!latOk || !lonOk)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            answer = await finder.ByPointAsync(lat, lon, ct);
            Report(answer.Error, answer.Error == EligibilityError.LongitudeOutOfRange ? nameof(Lon) : nameof(Lat));
            ByPoint = answer.Result is not null;
        }

        Result = answer.Result;
        if (Result is not null && _snapshot is not null)
        {
            Place = Result.Units.Count == 0 ? null : _snapshot.Units.GetValueOrDefault(Result.Units[^1].Code);
        }
    }

    private void Report(EligibilityError error, string field)
    {
        var message = error switch
        {
            EligibilityError.LatitudeOutOfRange => T("place.error_latitude_range"),
            EligibilityError.LongitudeOutOfRange => T("place.error_longitude_range"),
            EligibilityError.MalformedCode when field == nameof(Lau) => T("place.error_lau_malformed"),
            EligibilityError.MalformedCode => T("place.error_nuts_malformed"),
            EligibilityError.UnknownCode => T("place.error_unknown_code"),
            _ => null,
        };
        if (message is not null)
        {
            Errors[field] = message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    /// <summary>
    /// Before any question: the areas of the cross-border and transnational programmes of the latest period the registry
    /// has (a network programme's area is whole countries: it would only zoom the map out to Europe).
    /// </summary>
    private static List<ProgrammeArea> CurrentCooperationAreas(TerritoryIndex.Snapshot snapshot)
    {
        var cooperation = snapshot.ProgrammeAreas.Where(a => a.Kind != ProgrammeKind.Network && a.Units.Count > 0).ToList();
        var latest = cooperation.Select(a => a.Period).DefaultIfEmpty("").Max(StringComparer.Ordinal);
        return cooperation.Where(a => a.Period == latest).OrderBy(a => a.Kind).ThenBy(a => a.Code, StringComparer.Ordinal).Take(3).ToList();
    }

    /// <summary>A unit's name in the page's language where a source gives it, else its own; with its language when known.</summary>
    public (string Name, string? Language) NameOf(TerritoryUnit unit) =>
        _snapshot?.Places.NameIn(unit, Lang) ?? (unit.Name, null);

    public (string Name, string? Language) NameOf(string code) =>
        _snapshot?.Units.GetValueOrDefault(code) is { } unit ? NameOf(unit) : (code, null);

    /// <summary>The link that answers for a unit (a municipality by its code, a region by its NUTS code).</summary>
    public string AnswerLink(TerritoryUnit unit) =>
        Link(unit.Kind == TerritoryKind.Municipality ? $"/eligibility?lau={unit.Code}" : $"/eligibility?nuts={unit.Code}");

    public string KindName(TerritoryKind kind) => T("place.kind." + kind.ToString().ToLowerInvariant());

    /// <summary>"Arr. Kortrijk, Prov. West-Vlaanderen, BE": where a unit lies, its parents up to the country.</summary>
    public IReadOnlyList<(string Name, string? Language)> ParentsOf(TerritoryUnit unit)
    {
        var parents = new List<(string, string?)>();
        for (var code = unit.ParentCode; code is not null && _snapshot?.Units.GetValueOrDefault(code) is { } parent; code = parent.ParentCode)
        {
            parents.Add(parent.Kind == TerritoryKind.Nuts0 ? (parent.CountryCode, null) : NameOf(parent));
        }

        return parents;
    }

    /// <summary>A marker's words: the place's name, or the point's coordinates (as the page's language separates them).</summary>
    public string MarkerLabel => ByPoint && Result?.Latitude is { } lat && Result.Longitude is { } lon
        ? T("map.location_exact", lat.ToString("0.0####", Culture), lon.ToString("0.0####", Culture))
        : Place is { } place ? NameOf(place).Name : "";

    /// <summary>The covering programmes as the answer lists them: cross-border first, then transnational, then networks; the current period before earlier ones.</summary>
    public IReadOnlyList<CoveringProgramme> Programmes => Result is null ? [] :
        Result.Programmes.OrderBy(p => p.Kind).ThenByDescending(p => p.Period, StringComparer.Ordinal).ThenBy(p => p.Code, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A sentence of the interface text with HTML pieces put in ({0}, {1}): the text is encoded, the pieces are
    /// already HTML (links, names with their language).
    /// </summary>
    public IHtmlContent Sentence(string key, params IHtmlContent[] pieces)
    {
        var builder = new HtmlContentBuilder();
        var text = T(key);
        var last = 0;
        foreach (Match match in Placeholder().Matches(text))
        {
            builder.Append(text[last..match.Index]);
            builder.AppendHtml(pieces[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
            last = match.Index + match.Length;
        }

        builder.Append(text[last..]);
        return builder;
    }

    /// <summary>"A, B and C" in the page's language.</summary>
    public IHtmlContent List(IReadOnlyList<IHtmlContent> items)
    {
        var builder = new HtmlContentBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(i == items.Count - 1 ? T("place.list_and") : ", ");
            }

            builder.AppendHtml(items[i]);
        }

        return builder;
    }

    [GeneratedRegex(@"\{(\d)\}")]
    private static partial Regex Placeholder();
}
