using Passerelle.Core.Projects;

namespace Passerelle.Core.Tests.Projects;

public sealed class ProjectRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 26);

    [Theory]
    [InlineData("2016-10-01", "2021-09-30", ProjectStatus.Closed)]
    [InlineData("2025-01", "2027-12", ProjectStatus.Ongoing)]
    [InlineData("2027-01-01", "2029-12-31", ProjectStatus.Planned)]
    [InlineData("2016-10-01", null, ProjectStatus.Unknown)]
    [InlineData(null, null, ProjectStatus.Unknown)]
    [InlineData("2026-01", "2026-11", ProjectStatus.Ongoing)]
    public void StatusOn_Dates_DerivesStatus(string? start, string? end, ProjectStatus expected) =>
        Assert.Equal(expected, Project.StatusOn(start, end, Today));

    [Fact]
    public void EuRate_BothAmountsKnown_IsComputedAndSaysSo()
    {
        var project = new Project { Slug = "biseps", Acronym = "BISEPS", ProgrammeCode = "2SEAS", TotalBudget = 3_908_751m, EuContribution = 2_345_251m };
        Assert.Equal((0.6m, true), project.EuRate());
    }

    [Fact]
    public void EuRate_StatedRate_WinsOverComputation()
    {
        var project = new Project { Slug = "alarm", Acronym = "ALARM", ProgrammeCode = "FWV", TotalBudget = 100m, EuContribution = 60m, StatedEuRate = 0.5m };
        Assert.Equal((0.5m, false), project.EuRate());
    }

    [Fact]
    public void EuRate_OneAmountUnknown_IsUnknown()
    {
        var project = new Project { Slug = "tec", Acronym = "TEC!", ProgrammeCode = "FWV", TotalBudget = 1_999_711.41m };
        Assert.Null(project.EuRate());
    }
}
