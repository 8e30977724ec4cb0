using System.Globalization;

using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.History;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.History;

/// <summary>What the history pages share: the record from the address, and the words for versions, actors and changes.</summary>
public abstract class HistoryPage : AdminPage
{
    /// <summary>programme, grouping, project, organisation or source.</summary>
    [BindProperty(SupportsGet = true, Name = "type")]
    public string RecordType { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int Id { get; set; }

    public HistorySubject Subject { get; protected set; } = null!;

    /// <summary>The record kind from the address; null for a kind without history pages.</summary>
    public SubjectType? ParsedType => HistoryQueries.ParseType(RecordType);

    /// <summary>The record's history page.</summary>
    public string HistoryLink(string? query = null) => Link($"/history/{RecordType}/{Id.ToString(CultureInfo.InvariantCulture)}") + query;

    public string TypeLabel => T("history.type." + RecordType);

    /// <summary>The record's public page, for the kinds the portal shows.</summary>
    public string? PublicLink => Subject.Slug is { } slug && Subject.Type != SubjectType.Source
        ? (Lang == "en" ? "" : "/" + Lang) + $"/{RecordType}s/{Uri.EscapeDataString(slug)}"
        : null;

    public static string When(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public string VersionTitle(VersionInfo v) => T("history.version", v.Number);

    /// <summary>"Marie Dupont (person)", "import projects (command)".</summary>
    public string ActorText(VersionInfo v) => $"{v.Actor} ({T("history.actor." + v.ActorKind.ToString().ToLowerInvariant())})";

    /// <summary>A link or the record itself by its translated name; a field by its label in the registry.</summary>
    public string FieldLabel(string field, string label) =>
        T("history.field." + field) is var text && text != "history.field." + field ? text : label;

    public string ActionLabel(RevisionAction action) => T("history.action." + action.ToString().ToLowerInvariant());

    /// <summary>Only absolute http(s) addresses become links: a source's address is data, never a script.</summary>
    public static string? SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;
}

/// <summary>A list of values (display order, each with its source) for the _Values partial.</summary>
public sealed record ValuesView(HistoryPage Page, IReadOnlyList<StateValue> Values);

/// <summary>A source for the _Source partial.</summary>
public sealed record SourceView(HistoryPage Page, VersionSource? Source);
