using System.Globalization;

using Passerelle.Web.Tests.Hosting;

using static Passerelle.Web.Tests.Kohesio.KohesioSupport;

namespace Passerelle.Web.Tests.Kohesio;

/// <summary>`import kohesio` as an operator runs it: the real executable on a new SQLite database.</summary>
public sealed class KohesioCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-kohesio-command-").FullName;

    private Dictionary<string, string> Database => PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db"));

    [Fact]
    public async Task ImportKohesio_InvalidFile_Exits2ListingRowAndColumn()
    {
        var text = await File.ReadAllTextAsync(Sample, Ct);
        var file = TempFile(text.Replace(",31/12/2015,50,299609.48,", ",31/12/2015,150,299609.48,", StringComparison.Ordinal), "rate.csv");

        var result = await PasserelleProcess.RunAsync(Database, "import", "kohesio", file);

        result.AssertOneErrorLine(2);
        Assert.Contains("nothing was written", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Contains("row 2, column 'Cofinancing_Rate': 150 is above the maximum 100", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportKohesio_SameFileTwice_SecondChangesNothing()
    {
        var tag = "CMD" + Guid.NewGuid().ToString("N")[..4].ToUpperInvariant();
        var file = TempFile(string.Format(CultureInfo.InvariantCulture, KohesioTests<Infrastructure.PasserelleApp>.InterregFixture, tag, "2014TC16RFCB047"));

        var first = await PasserelleProcess.RunAsync(Database, "import", "kohesio", file, "--language", "fr");
        var second = await PasserelleProcess.RunAsync(Database, "import", "kohesio", file, "--language", "fr");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("kohesio imported: 1 created, 0 updated, 0 unchanged", first.Stdout, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("kohesio imported: 0 created, 0 updated, 1 unchanged", second.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import", "kohesio")]
    [InlineData("import", "kohesio", "a.csv", "--language", "es")]
    [InlineData("import", "projects", "a.csv", "--programme", "fwv-2014-2020")]
    public async Task ImportKohesio_BadUsage_Exits2WithOneLine(params string[] arguments)
    {
        var result = await PasserelleProcess.RunAsync(Database, arguments);

        result.AssertOneErrorLine(2);
        Assert.False(File.Exists(Path.Combine(_folder, "passerelle.db")), "a usage error opened the database");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing its database file: the temporary folder is left for the system to clean.
        }
    }
}
