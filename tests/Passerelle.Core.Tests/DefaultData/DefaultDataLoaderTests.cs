using Passerelle.Core.Common;
using Passerelle.Core.DefaultData;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Tests.DefaultData;

public sealed class DefaultDataLoaderTests
{
    // The repository's default-data folder and nothing else: a clone alone must build the whole registry.
    private static readonly DefaultDataSet Data = DefaultDataLoader.Load(TestPaths.DefaultData);

    private static List<FactRow> ProjectFactRows => FactsCsv.Read(Path.Combine(TestPaths.DefaultData, DefaultDataLoader.ProjectFactsFile));

    [Fact]
    public void Load_RealFiles_HasTheEightSeedProjects()
    {
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
    public void Load_DefaultDataFolderAlone_EveryPartnerOfTheProjectFactsIsAnOrganisationOfItsProject()
    {
        var partnerRows = ProjectFactRows.Where(r => r.Field is "partner" or "lead_partner").ToList();
        Assert.NotEmpty(partnerRows);
        foreach (var row in partnerRows)
        {
            var name = row.Value.Split('|')[0].Trim();
            var organisation = Assert.Single(Data.Organisations, o =>
                Slug.MatchKey(o.Entity.Name) == Slug.MatchKey(name) || o.Aliases.Any(a => Slug.MatchKey(a.Name) == Slug.MatchKey(name)));
            var project = Data.Projects.Single(p => p.Entity.Acronym == row.Project);
            var participation = Assert.Single(project.Participations, p => p.OrganisationSlug == organisation.Entity.Slug);
            Assert.Contains(participation.Facts, f => f.Field == "role" && IsFromRow(f.SourceKey, row));
        }
    }

    [Fact]
    public void Load_DefaultDataFolderAlone_EveryProjectFactKeepsItsValueAndSource()
    {
        var rows = ProjectFactRows.Where(r => r.Field is not ("partner" or "lead_partner" or "mel_share_budget_eur" or "mel_share_erdf_eur")).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var field = row.Field.StartsWith("full_title_", StringComparison.Ordinal) ? "title." + row.Field["full_title_".Length..]
                : row.Field.StartsWith("summary_", StringComparison.Ordinal) ? "summary." + row.Field["summary_".Length..]
                : row.Field;
            var project = Data.Projects.Single(p => p.Entity.Acronym == row.Project);
            Assert.True(project.Facts.Any(f => f.Field == field && f.Value == row.Value && f.Note == row.Note && IsFromRow(f.SourceKey, row)),
                $"{DefaultDataLoader.ProjectFactsFile}, line {row.Line}: {row.Project} {row.Field} = {row.Value} is not loaded with its source");
        }
    }

    [Fact]
    public void Load_Biseps_LeadPartnerAndBudgetsComeWithTheProgrammePage()
    {
        var biseps = Data.Projects.Single(p => p.Entity.Slug == "biseps");
        var programmePage = Data.Sources.Single(s => s.Url == "https://www.interreg2seas.eu/en/biseps");
        Assert.Contains(biseps.Facts, f => f.Field == "total_budget_eur" && f.Value == "3908751" && f.SourceKey == programmePage.Key);
        Assert.Contains(biseps.Facts, f => f.Field == "erdf_eur" && f.Value == "2345251" && f.SourceKey == programmePage.Key);
        var lead = Assert.Single(biseps.Participations, p => p.Role == ParticipationRole.LeadPartner);
        Assert.Contains(lead.Facts, f => f.Field == "role" && f.Value == "lead partner" && f.SourceKey == programmePage.Key);
        Assert.Contains(Data.Organisations, o => o.Entity.Slug == lead.OrganisationSlug);
    }

    [Fact]
    public void Hash_RealFiles_IsTheHashOfTheLoadedDataSet()
    {
        // A start compares this hash with the recorded one and skips loading: both must cover the same bytes.
        Assert.Equal(Data.Hash, DefaultDataLoader.Hash(TestPaths.DefaultData));
    }

    [Fact]
    public void Hash_OneFileChanged_Differs()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-hash-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(TestPaths.DefaultData))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            File.AppendAllText(Path.Combine(folder, DefaultDataLoader.ExtraFactsFile), "\n");
            Assert.NotEqual(Data.Hash, DefaultDataLoader.Hash(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_SameFolderTwice_GivesTheSameSourceKeys()
    {
        // Keys derived from a row's address or title are stored in databases: they must not depend on anything else.
        var again = DefaultDataLoader.Load(TestPaths.DefaultData);
        Assert.Equal(Data.Sources.Select(s => (s.Key, s.Title, s.Url)), again.Sources.Select(s => (s.Key, s.Title, s.Url)));
        Assert.Equal(Data.Hash, again.Hash);
    }

    [Fact]
    public void Load_ProjectFactsFileMissing_FailsNamingTheFile()
    {
        var folder = CopyOfDefaultData();
        File.Delete(Path.Combine(folder, DefaultDataLoader.ProjectFactsFile));
        var error = Assert.Throws<DefaultDataException>(() => DefaultDataLoader.Load(folder));
        Assert.Equal(DefaultDataLoader.ProjectFactsFile, error.File);
        Assert.Contains("not found", error.Reason, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Load_MalformedFactsFile_NamesFileLineAndReason()
    {
        var folder = CopyOfDefaultData();
        File.AppendAllText(Path.Combine(folder, DefaultDataLoader.ProjectFactsFile),
            "TEC!,acronym,TEC!,A page,https://example.org/a,,\n" +
            "TEC!,start_date,2016-13-01,A page,https://example.org/a,,\n");
        var line = File.ReadAllLines(Path.Combine(folder, DefaultDataLoader.ProjectFactsFile)).Length;
        var error = Assert.Throws<DefaultDataException>(() => DefaultDataLoader.Load(folder));
        Assert.Equal(DefaultDataLoader.ProjectFactsFile, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains("2016-13-01", error.Reason, StringComparison.Ordinal);
        Assert.Contains($"{DefaultDataLoader.ProjectFactsFile}, line {line}", error.Message, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("project,field,value\nTEC!,acronym,TEC!\n", 1, "header")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,acronym,TEC!,A page\n", 2, "where the header has 7")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nNOPE,acronym,X,A page,,,\n", 2, "unknown project")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,total_budget_eur,\"1 999,41\",A page,,,\n", 2, "total_budget_eur: '1 999,41' is not a plain non-negative number")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,partner,Somebody,A page,,,\n", 2, "name | country | city | role")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,colour,blue,A page,,,\n", 2, "'colour' is not a field of a project")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,end_date,2021-13,A page,,,\n", 2, "end_date: '2021-13' is not a date")]
    [InlineData("project,field,value,source_title,source_url,source_date,note\nTEC!,acronym,\"unclosed,A page,,,\n", 2, "missing closing quote")]
    public void Load_MalformedRow_ReportsFileAndLine(string csv, int line, string reason)
    {
        foreach (var file in DefaultDataLoader.FactsFiles)
        {
            var folder = CopyOfDefaultData();
            File.WriteAllText(Path.Combine(folder, file), csv);
            var error = Assert.Throws<DefaultDataException>(() => DefaultDataLoader.Load(folder));
            Assert.Equal(file, error.File);
            Assert.Equal(line, error.Line);
            Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Whether a loaded fact's source is the one the CSV row names (by address, else by title).</summary>
    private static bool IsFromRow(string sourceKey, FactRow row)
    {
        var source = Data.Sources.Single(s => s.Key == sourceKey);
        return row.SourceUrl is null
            ? source.Title == row.SourceTitle
            : source.Url is not null && Address(source.Url) == Address(row.SourceUrl);
    }

    private static string Address(string url) =>
        url.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal)
            .Replace("www.", "", StringComparison.Ordinal).TrimEnd('/');

    /// <summary>A copy of the repository's default data in a temporary folder, to damage one file of it.</summary>
    private static string CopyOfDefaultData()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-default-data-").FullName;
        foreach (var file in Directory.EnumerateFiles(TestPaths.DefaultData))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }
}
