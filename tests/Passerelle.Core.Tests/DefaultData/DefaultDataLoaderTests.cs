using Passerelle.Core.DefaultData;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Tests.DefaultData;

public sealed class DefaultDataLoaderTests
{
    private static readonly DefaultDataSet Data = DefaultDataLoader.Load(TestPaths.DefaultData, TestPaths.Facts);

    [Fact]
    public void Load_RealFiles_HasTheEightSeedProjects()
    {
        Assert.True(Data.SharedFactsLoaded);
        Assert.Equal(
            ["alarm-fwv", "biseps", "eyes", "fast-to-market", "nicivalys", "tec", "tripod-ii", "valys"],
            Data.Projects.Select(p => p.Entity.Slug).Order());
    }

    [Fact]
    public void Load_Biseps_HasSourcedBudgetsAndLeadPartner()
    {
        var biseps = Data.Projects.Single(p => p.Entity.Slug == "biseps");
        Assert.Equal(3_908_751m, biseps.Entity.TotalBudget);
        Assert.Equal(2_345_251m, biseps.Entity.EuContribution);
        var lead = Assert.Single(biseps.Participations, p => p.Role == ParticipationRole.LeadPartner);
        Assert.Equal("leiedal", lead.OrganisationSlug);
        Assert.Equal("2seas-2014-2020", biseps.ProgrammeSlug);
        // Two start dates from two sources: both kept, the annual report's contractual date first.
        Assert.Equal(["2016-05-01", "2016-09-01"], biseps.Facts.Where(f => f.Field == "start_date").Select(f => f.Value));
    }

    [Fact]
    public void Load_AlarmBudget_KeepsBothFiguresInSourceOrder()
    {
        var alarm = Data.Projects.Single(p => p.Entity.Slug == "alarm-fwv");
        Assert.Equal(["2592458.80", "2900000"], alarm.Facts.Where(f => f.Field == "total_budget_eur").Select(f => f.Value));
        Assert.Equal(2_592_458.80m, alarm.Entity.TotalBudget);
        Assert.Equal("sdis-59", Assert.Single(alarm.Participations, p => p.Role == ParticipationRole.LeadPartner).OrganisationSlug);
    }

    [Fact]
    public void Load_FastToMarket_KnowsOnlyWhatTheSeedSays()
    {
        var project = Data.Projects.Single(p => p.Entity.Slug == "fast-to-market").Entity;
        Assert.Null(project.TotalBudget);
        Assert.Null(project.StartDate);
        Assert.Null(project.ProgrammeId);
        Assert.Equal("FWV", project.ProgrammeCode);
        Assert.Equal("facilitating cross-border market access for new businesses.", project.Summary.En);
    }

    [Fact]
    public void Load_LilleMetropoleUnderEveryName_IsOneOrganisation()
    {
        var slugs = Data.Projects
            .Where(p => p.Participations.Any(x => x.OrganisationSlug == "lille-metropole"))
            .Select(p => p.Entity.Slug).Order();
        Assert.Equal(["alarm-fwv", "biseps", "eyes", "tec", "tripod-ii"], slugs);
        Assert.Single(Data.Organisations, o => o.Entity.Name.Contains("Lille", StringComparison.Ordinal) && o.Entity.Slug.Contains("metropole", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WithoutSharedFacts_StillLoadsTheSeedProjects()
    {
        var data = DefaultDataLoader.Load(TestPaths.DefaultData, sharedFactsFolder: Path.Combine(Path.GetTempPath(), "no-such-folder"));
        Assert.False(data.SharedFactsLoaded);
        Assert.Equal(8, data.Projects.Count);
    }

    [Fact]
    public void Load_MalformedFactsFile_NamesFileLineAndReason()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-facts-").FullName;
        File.WriteAllText(Path.Combine(folder, "projects.csv"),
            "project,field,value,source_title,source_url,source_date,note\n" +
            "TEC!,acronym,TEC!,A page,https://example.org/a,,\n" +
            "TEC!,start_date,2016-13-01,A page,https://example.org/a,,\n");
        var error = Assert.Throws<DefaultDataException>(() => DefaultDataLoader.Load(TestPaths.DefaultData, folder));
        Assert.Equal("projects.csv", error.File);
        Assert.Equal(3, error.Line);
        Assert.Contains("2016-13-01", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("project,field,value\nTEC!,acronym,TEC!\n", 1, "header")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,acronym,TEC!,A page\n", 2, "where the header has 7")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nNOPE,acronym,X,A page,,,\n", 2, "unknown project")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,total_budget_eur,\"1 999,41\",A page,,,\n", 2, "not a plain number")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,partner,Somebody,A page,,,\n", 2, "name | country | city | role")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,acronym,\"unclosed,A page,,,\n", 2, "missing closing quote")]
    public void Load_MalformedRow_ReportsLine(string csv, int line, string reason)
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-facts-").FullName;
        File.WriteAllText(Path.Combine(folder, "projects.csv"), csv);
        var error = Assert.Throws<DefaultDataException>(() => DefaultDataLoader.Load(TestPaths.DefaultData, folder));
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
