using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Territories;
using Passerelle.Core.Themes;

namespace Passerelle.Web.Portal.Pages.Groupings;

public sealed class DetailsModel(GroupingQueries groupings, TerritoryQueries territories, ThemeQueries themes) : PortalPage
{
    public GroupingDetails Grouping { get; private set; } = null!;
    public IReadOnlyList<TerritoryProfile> Profiles { get; private set; } = [];

    /// <summary>
    /// The fields of action as the source words them, each with the theme of the same name where there is one (its
    /// label in four languages), so that "climate and energy" reads "Climat et énergie" on a French page.
    /// </summary>
    public IReadOnlyList<(string Text, LocalizedText? Theme)> FieldsOfAction { get; private set; } = [];

    /// <summary>The municipalities the territory map draws (every one of the grouping's list, in any perimeter), by country.</summary>
    public IReadOnlyList<(string Country, int Count)> Mapped { get; private set; } = [];

    /// <summary>Whether maps and computed figures can be shown: the territory index may still be building, or the database have no territories.</summary>
    public TerritoryAvailability Territories { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await groupings.GetAsync(slug, ct) is not { } grouping)
        {
            return NotFound();
        }

        Grouping = grouping;
        var labels = await themes.LabelsAsync(ct);
        FieldsOfAction = grouping.FieldsOfAction
            .Select(f => (f, labels.Select(t => t.Label).FirstOrDefault(l => l.All().Any(x => Slug.MatchKey(x.Text) == Slug.MatchKey(f)))))
            .ToList();
        Territories = territories.Availability;
        if (Territories == TerritoryAvailability.Available)
        {
            Profiles = await territories.ProfilesAsync(slug, ct);
            Mapped = Profiles.Count == 0 ? [] : await territories.GroupingMapCountsAsync(slug, ct);
        }

        return Page();
    }
}
