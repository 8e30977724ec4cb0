using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Portal.Pages;

/// <summary>Territorial cooperation as the Lille Métropole page presents it, built from the registry.</summary>
public sealed class IndexModel(
    OrganisationQueries organisations,
    GroupingQueries groupings,
    ProgrammeQueries programmes,
    ProjectQueries projects) : PortalPage
{
    public const string HomeOrganisation = "lille-metropole";
    public const string HomeGrouping = "eurometropole";

    public OrganisationDetails? Metropole { get; private set; }
    public GroupingDetails? Eurometropole { get; private set; }
    public List<(string Code, List<(ProgrammeListItem Programme, FactSheet Facts)> Periods, List<ProjectListItem> Projects)> Programmes { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Metropole = await organisations.GetAsync(HomeOrganisation, ct);
        Eurometropole = await groupings.GetAsync(HomeGrouping, ct);
        var all = await programmes.ListWithFactsAsync(ct);
        var allProjects = await projects.ListAsync(new ProjectFilter(), new PageRequest(1, PageRequest.MaxSize), ct);
        foreach (var code in all.Select(p => p.Programme.Code).Distinct())
        {
            Programmes.Add((code, all.Where(p => p.Programme.Code == code).ToList(), allProjects.Items.Where(p => p.Programme.Code == code).ToList()));
        }
    }
}
