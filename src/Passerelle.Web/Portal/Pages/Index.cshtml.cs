using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;

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
    public List<(string Code, List<ProgrammeDetails> Periods, List<ProjectListItem> Projects)> Programmes { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Metropole = await organisations.GetAsync(HomeOrganisation, ct);
        Eurometropole = await groupings.GetAsync(HomeGrouping, ct);
        var all = await programmes.ListAsync(new PageRequest(1, PageRequest.MaxSize), ct);
        var allProjects = await projects.ListAsync(new ProjectFilter(), new PageRequest(1, PageRequest.MaxSize), ct);
        foreach (var code in all.Items.Select(p => p.Code).Distinct())
        {
            var periods = new List<ProgrammeDetails>();
            foreach (var item in all.Items.Where(p => p.Code == code))
            {
                periods.Add((await programmes.GetAsync(item.Slug, ct))!);
            }

            Programmes.Add((code, periods, allProjects.Items.Where(p => p.Programme.Code == code).ToList()));
        }
    }
}
