using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;

namespace Passerelle.Web.Areas.Admin.Pages.Audit;

/// <summary>The audit log's filters as the address carries them (the list and its CSV export take the same).</summary>
public abstract class AuditPageBase : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Actor { get; set; }

    /// <summary>yyyy-mm-dd (UTC), inclusive.</summary>
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    /// <summary>yyyy-mm-dd (UTC), inclusive.</summary>
    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Text { get; set; }

    /// <summary>The filter, or the interface's message saying which part of it is wrong.</summary>
    protected (AuditFilter? Filter, string? Error) ReadFilter()
    {
        if (!AuditTrail.IsKind(Kind))
        {
            return (null, T("audit.bad_kind"));
        }

        if (!TryDay(From, out var from) || !TryDay(To, out var to))
        {
            return (null, T("audit.bad_date"));
        }

        return (new AuditFilter(string.IsNullOrEmpty(Kind) ? null : Kind, Actor, from, to, Text), null);
    }

    /// <summary>The filters as a query string (without the page position), for the export link and the next page.</summary>
    public string FilterQuery()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("kind", Kind);
        Add("actor", Actor);
        Add("from", From);
        Add("to", To);
        Add("text", Text);
        return string.Join("&", parts);
    }

    private static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            day = d;
            return true;
        }

        return false;
    }
}
