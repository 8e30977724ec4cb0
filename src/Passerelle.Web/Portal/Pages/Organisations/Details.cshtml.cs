using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Territories;

namespace Passerelle.Web.Portal.Pages.Organisations;

public sealed class DetailsModel(OrganisationQueries organisations, TerritoryQueries territories, GroupingQueries groupings, IServiceScopeFactory scopes, OrganisationLocator locator) : PortalPage
{
    /// <summary>At most this many NUTS 2 regions drawn around the partners, for context (each is one request of the map).</summary>
    public const int ContextRegionLimit = 8;

    public OrganisationDetails Organisation { get; private set; } = null!;

    /// <summary>The organisation and its projects' partners, placed for the map.</summary>
    public PartnerMap Partners { get; private set; } = new([], 0);

    /// <summary>Where the organisation itself is placed (null: not known).</summary>
    public PlaceLocation? Location => Partners.Partners.FirstOrDefault(p => p.IsSubject)?.Location;

    /// <summary>The NUTS 2 regions of the located organisations, drawn under the points.</summary>
    public IReadOnlyList<string> ContextRegions { get; private set; } = [];

    /// <summary>The names of the groupings the organisation is a member authority of (the record has their slugs).</summary>
    public IReadOnlyDictionary<string, LocalizedText> MemberOf { get; private set; } = new Dictionary<string, LocalizedText>();

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        // The record and the co-partners' map are independent reads of tens of milliseconds each for an organisation in
        // thousands of projects (at 2 M, 24 and 35 ms for the one in 4,162): the map is read on a scope (and a database
        // connection) of its own, on another thread since SQLite's driver does its work in the calling thread, so the
        // page waits for the longer of the two rather than their sum (issue 17). Both are awaited before the scope
        // ends, whichever fails.
        await using var mapScope = scopes.CreateAsyncScope();
        var maps = mapScope.ServiceProvider.GetRequiredService<PartnerMaps>();
        var mapRead = Task.Run(() => maps.ForOrganisationAsync(slug, ct), ct);
        var recordRead = organisations.GetAsync(slug, ct);
        await Task.WhenAll(mapRead, recordRead);
        if (await recordRead is not { } organisation)
        {
            return NotFound();
        }

        Organisation = organisation;
        MemberOf = await groupings.NamesAsync(organisation.MemberOf, ct);
        Partners = await mapRead ?? Partners;
        ContextRegions = Partners.Located.Select(p => locator.RegionOf(p.Location!)).OfType<string>()
            .GroupBy(r => r).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(ContextRegionLimit).Select(g => g.Key).ToList();
        Territories = territories.Availability;
        return Page();
    }
}
