using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Editions;

namespace Passerelle.Web.Portal.Pages.Programmes;

/// <summary>The editions of a programme's list of operations: when, by whom, how many operations, each one's file, and what changed.</summary>
public sealed class EditionsModel(EditionService editions) : PortalPage
{
    public ProgrammeEditions Editions { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, int? from, int? to, CancellationToken ct)
    {
        if (await editions.ListAsync(slug, ct) is not { } list)
        {
            return NotFound();
        }

        // The comparison form asks with ?from=&to=; the diff has its own address.
        if (from is { } a && to is { } b)
        {
            return LocalRedirect(Link(string.Create(CultureInfo.InvariantCulture, $"/programmes/{slug}/editions/{a}/diff/{b}")));
        }

        Editions = list;
        return Page();
    }

    /// <summary>A date and time as the page's language writes it (UTC).</summary>
    public string When(DateTime at) => EditionText.When(at, Culture);
}

/// <summary>How the editions' pages write dates and values.</summary>
public static class EditionText
{
    public static string When(DateTime at, CultureInfo culture) => at.ToString("d MMMM yyyy, HH:mm 'UTC'", culture);

    public static string Day(DateTime at, CultureInfo culture) => at.ToString("d MMMM yyyy", culture);

    /// <summary>A published value: numbers with the language's separators, text as the source gives it.</summary>
    public static string? Value(object? value, CultureInfo culture) => value switch
    {
        null => null,
        decimal d => d.ToString("#,0.##########", culture),
        double x => x.ToString(culture),
        string s => s,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    /// <summary>The key of a field's label (portal.editions.field.{key}); a test checks that every field of the list has one.</summary>
    public static string FieldKey(string key) => "portal.editions.field." + key;
}
