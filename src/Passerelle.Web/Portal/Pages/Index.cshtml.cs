using System.Globalization;

using Microsoft.AspNetCore.Html;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Statistics;

namespace Passerelle.Web.Portal.Pages;

/// <summary>Territorial cooperation as the Lille Métropole page presents it, built from the registry.</summary>
public sealed class IndexModel(
    OrganisationQueries organisations,
    GroupingQueries groupings,
    ProgrammeQueries programmes,
    ProjectQueries projects,
    KeyFigures keyFigures) : PortalPage
{
    /// <summary>Source markers shown beside a key figure; the figure's other sources are counted after them.</summary>
    public const int SourcesPerFigure = 3;

    /// <summary>
    /// Programmes, projects, partners and the projects' budgets, each with its sources (the top of the page): null while
    /// the first are counted, and the previous ones, with their time, while the registry's latest change is counted.
    /// </summary>
    public Cached<KeyFigureSet>? Figures { get; private set; }

    public const string HomeOrganisation = "lille-metropole";
    public const string HomeGrouping = "eurometropole";

    public OrganisationDetails? Metropole { get; private set; }
    public GroupingDetails? Eurometropole { get; private set; }
    public List<(string Code, List<(ProgrammeListItem Programme, FactSheet Facts)> Periods, List<ProjectListItem> Projects)> Programmes { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Figures = await keyFigures.TryGetAsync(ct);
        Metropole = await organisations.GetAsync(HomeOrganisation, ct);
        Eurometropole = await groupings.GetAsync(HomeGrouping, ct);
        var all = await programmes.ListWithFactsAsync(ct);
        var firstProjects = (await projects.FirstAsync(ct)).ToLookup(p => p.Programme.Code);
        foreach (var periods in all.GroupBy(p => p.Programme.Code))
        {
            Programmes.Add((periods.Key, periods.ToList(), firstProjects[periods.Key].ToList()));
        }
    }

    /// <summary>When figures were counted, for the note beside figures that are not current.</summary>
    public static string CountedAt(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>
    /// The footnote markers of a figure's sources, the most used first, linking to the page's source list; beyond
    /// <see cref="SourcesPerFigure"/>, how many more there are.
    /// </summary>
    public IHtmlContent SourceMarkers(IReadOnlyList<FigureSource> sources)
    {
        var builder = new HtmlContentBuilder();
        foreach (var source in sources.Take(SourcesPerFigure))
        {
            var n = Notes.Cite(source.Source).ToString(CultureInfo.InvariantCulture);
            builder.AppendHtml("<sup class=\"cite\"><a href=\"#source-").Append(n)
                .AppendHtml("\" title=\"").Append(source.Source.Title)
                .AppendHtml("\" aria-label=\"").Append(T("portal.home.source_marker", n, source.Source.Title))
                .AppendHtml("\">[").Append(n).AppendHtml("]</a></sup>");
        }

        if (sources.Count > SourcesPerFigure)
        {
            var more = sources.Count - SourcesPerFigure;
            builder.AppendHtml(" <span class=\"sub\">").Append(more == 1 ? T("portal.home.more_source_one") : T("portal.home.more_sources", more)).AppendHtml("</span>");
        }

        return builder;
    }
}
