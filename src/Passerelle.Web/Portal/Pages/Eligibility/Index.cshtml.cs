using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Eligibility;

/// <summary>Which units contain a place and which programmes cover it; a form that works without JavaScript.</summary>
public sealed class IndexModel(EligibilityFinder finder, GroupingQueries groupings) : PortalPage
{
    [BindProperty(SupportsGet = true)] public string? Lat { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lon { get; set; }
    [BindProperty(SupportsGet = true)] public string? Nuts { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lau { get; set; }

    public EligibilityResult? Result { get; private set; }

    /// <summary>The names of the groupings whose territory contains the place (the result has their slugs).</summary>
    public IReadOnlyDictionary<string, LocalizedText> GroupingNames { get; private set; } = new Dictionary<string, LocalizedText>();
    public Dictionary<string, string> Errors { get; } = [];

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories => finder.Availability;

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Territories != TerritoryAvailability.Available)
        {
            return;
        }

        var asked = !string.IsNullOrWhiteSpace(Lat) || !string.IsNullOrWhiteSpace(Lon) || !string.IsNullOrWhiteSpace(Nuts) || !string.IsNullOrWhiteSpace(Lau);
        if (!asked)
        {
            return;
        }

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
            // A comma is accepted where the page's language writes decimals with one (50,63 on /fr/eligibility).
            var latOk = Language.TryParseDecimal(Lat, out var lat);
            var lonOk = Language.TryParseDecimal(Lon, out var lon);
            if (!latOk)
            {
                Errors[nameof(Lat)] = T("portal.eligibility.latitude_format", Language.FormatDecimal(50.6292));
            }

            if (!lonOk)
            {
                Errors[nameof(Lon)] = T("portal.eligibility.longitude_format", Language.FormatDecimal(3.0573));
            }

            if (!latOk || !lonOk)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            answer = await finder.ByPointAsync(lat, lon, ct);
            Report(answer.Error, answer.Error == EligibilityError.LongitudeOutOfRange ? nameof(Lon) : nameof(Lat));
        }

        Result = answer.Result;
        if (Result is not null)
        {
            GroupingNames = await groupings.NamesAsync(Result.Groupings, ct);
        }
    }

    private void Report(EligibilityError error, string field)
    {
        var message = error switch
        {
            EligibilityError.LatitudeOutOfRange => T("portal.eligibility.latitude_range"),
            EligibilityError.LongitudeOutOfRange => T("portal.eligibility.longitude_range"),
            EligibilityError.MalformedCode when field == nameof(Lau) => T("portal.eligibility.municipality_code_format"),
            EligibilityError.MalformedCode => T("portal.eligibility.nuts_code_format"),
            EligibilityError.UnknownCode => T("portal.eligibility.unknown_code"),
            _ => null,
        };
        if (message is not null)
        {
            Errors[field] = message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    public string? MapLayer => Result?.Units.LastOrDefault() is { } unit ? $"/api/v1/territories/{unit.Code}/geometry?zoom=9" : null;
}
