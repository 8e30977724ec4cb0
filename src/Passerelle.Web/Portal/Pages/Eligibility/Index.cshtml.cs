using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Eligibility;

/// <summary>Which units contain a place and which programmes cover it; a form that works without JavaScript.</summary>
public sealed class IndexModel(EligibilityFinder finder) : PortalPage
{
    [BindProperty(SupportsGet = true)] public string? Lat { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lon { get; set; }
    [BindProperty(SupportsGet = true)] public string? Nuts { get; set; }
    [BindProperty(SupportsGet = true)] public string? Lau { get; set; }

    public EligibilityResult? Result { get; private set; }
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
            var latOk = double.TryParse(Lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var lat);
            var lonOk = double.TryParse(Lon, NumberStyles.Float, CultureInfo.InvariantCulture, out var lon);
            if (!latOk)
            {
                Errors[nameof(Lat)] = "Enter the latitude as a decimal number, e.g. 50.6292";
            }

            if (!lonOk)
            {
                Errors[nameof(Lon)] = "Enter the longitude as a decimal number, e.g. 3.0573";
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
    }

    private void Report(EligibilityError error, string field)
    {
        var message = error switch
        {
            EligibilityError.LatitudeOutOfRange => "The latitude must be between -90 and 90",
            EligibilityError.LongitudeOutOfRange => "The longitude must be between -180 and 180",
            EligibilityError.MalformedCode when field == nameof(Lau) => "Enter a municipality code with its country, e.g. FR59350 (Lille) or BE34022 (Kortrijk)",
            EligibilityError.MalformedCode => "Enter a NUTS 2021 code, e.g. FRE11 (Nord) or BE254 (Arr. Kortrijk)",
            EligibilityError.UnknownCode => "No territory unit has this code",
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
