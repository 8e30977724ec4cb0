using Passerelle.Core.Imports;

namespace Passerelle.Core.Tests.Imports;

public sealed class ImportReportTests
{
    [Fact]
    public void Format_Errors_NamesRowColumnAndSaysNothingWasWritten()
    {
        var errors = new ImportErrors();
        errors.Add(3, "Total budget (EUR)", "not a number ('1 000,50')");
        errors.Add(1, "Colour", "unexpected column");
        var report = new ImportReport { File = "projects.csv", Table = ImportTable.Projects, Errors = errors.Listed, ErrorCount = errors.Count };

        var text = report.Format();

        Assert.False(report.Succeeded);
        Assert.Contains("projects.csv: 2 errors; nothing was written.", text, StringComparison.Ordinal);
        Assert.Contains("row 3, column 'Total budget (EUR)': not a number ('1 000,50')", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_MoreThanTheListLimit_CountsAllKeepsTheFirst()
    {
        var errors = new ImportErrors();
        for (var i = 0; i < ImportErrors.MaxListed + 500; i++)
        {
            errors.Add(i + 2, "Acronym", "a value is required");
        }

        var report = new ImportReport { File = "big.csv", Table = ImportTable.Projects, Errors = errors.Listed, ErrorCount = errors.Count };

        Assert.Equal(ImportErrors.MaxListed + 500, errors.Count);
        Assert.Equal(ImportErrors.MaxListed, errors.Listed.Count);
        Assert.Contains("… and 500 more.", report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_Success_CreatedUpdatedUnchanged()
    {
        var report = new ImportReport { File = "p.csv", Table = ImportTable.Partners, Errors = [], ErrorCount = 0, Created = 2, Updated = 1, Unchanged = 68 };

        Assert.Equal("p.csv: partners imported: 2 created, 1 updated, 68 unchanged.", report.Format().Trim());
    }
}
