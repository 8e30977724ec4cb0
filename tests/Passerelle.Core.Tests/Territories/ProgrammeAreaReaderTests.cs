using Passerelle.Core.Territories;

namespace Passerelle.Core.Tests.Territories;

public class ProgrammeAreaReaderTests
{
    private static IReadOnlyList<ProgrammeAreaRow> Rows => ProgrammeAreaReader.ReadFolder(TestPaths.TerritoryFacts);

    private const string Header = "programme,period,nuts_code,nuts_level,nuts_version,area_role,source_title,source_url,source_date,note\r\n";

    [Fact]
    public void ReadFolder_RealFiles_Reads206RowsAllMappedTo2021()
    {
        var rows = Rows;
        var nuts2021 = SharedData.Nuts.Select(u => u.Code).ToHashSet();

        Assert.Equal(206, rows.Count);
        Assert.All(rows, r => Assert.All(r.Nuts2021Codes, c => Assert.Contains(c, nuts2021)));
    }

    [Theory]
    [InlineData("FR301", "FRE11")]
    [InlineData("BE324", "BE328")]
    [InlineData("BE327", "BE328")]
    [InlineData("BE321", "BE32A")]
    [InlineData("BE234", "BE234")]
    public void ReadFolder_FwvCodes_MapToNuts2021(string code2013, string code2021)
    {
        var row = Rows.First(r => r.Programme.StartsWith("Interreg France-Wallonie", StringComparison.Ordinal)
                                  && r.Period == "2014-2020" && r.NutsCode == code2013);

        Assert.Equal([code2021], row.Nuts2021Codes);
        Assert.False(row.Nuts2021Approximate);
    }

    [Fact]
    public void To2021_IrishDiscontinuedRegions_FallBackToCountryAndAreFlagged()
    {
        var crosswalk = NutsCrosswalk.Read(TestPaths.TerritoryFact(NutsCrosswalk.DefaultFileName));

        Assert.Equal(["IE"], crosswalk.To2021("IE01", out bool approximate));
        Assert.True(approximate);
        Assert.Null(crosswalk.To2021("ZZ99", out _));
    }

    [Fact]
    public void ToEntity_Row_FillsProgrammeAreaUnit()
    {
        var row = Rows.First(r => r.NutsCode == "BE324");

        var entity = row.ToEntity(programmeId: 3, sourceId: 9);

        Assert.Equal(("BE324", "NUTS 2013", "BE328", "eligible", 3, 9),
            (entity.NutsCode, entity.NutsVersion, entity.Nuts2021Codes, entity.Role, entity.ProgrammeId, entity.SourceId));
    }

    [Theory]
    [InlineData("P,2014-2020,BE999,3,NUTS 2013,eligible,t,u,d,n", "nuts_code")]
    [InlineData("P,2014-2020,BE234,4,NUTS 2013,eligible,t,u,d,n", "nuts_level")]
    [InlineData("P,2014-2020,BE234,2,NUTS 2013,eligible,t,u,d,n", "nuts_level")]
    [InlineData("P,2014-2020,BE234,3,NUTS 2013,owner,t,u,d,n", "area_role")]
    [InlineData(",2014-2020,BE234,3,NUTS 2013,eligible,t,u,d,n", "programme")]
    [InlineData("P,2014-2020,BE234,3,NUTS 2013,eligible,t,u,d", "note")]
    public void Read_MalformedRow_ThrowsWithLineAndColumn(string badRow, string column)
    {
        var crosswalk = NutsCrosswalk.Read(TestPaths.TerritoryFact(NutsCrosswalk.DefaultFileName));
        using var file = new TempFile("areas.csv",
            Header + "P,2014-2020,BE234,3,NUTS 2013,eligible,\"title, with comma\",u,d,\"a \"\"quoted\"\" note\"\r\n" + badRow + "\r\n");

        var ex = Assert.Throws<TerritoryImportException>(() => ProgrammeAreaReader.Read(file.Path, crosswalk));

        Assert.Equal(("areas.csv", 3, column), (ex.FileName, ex.LineNumber, ex.PropertyName));
    }

    [Fact]
    public void Read_MissingColumn_ThrowsOnHeaderLine()
    {
        var crosswalk = NutsCrosswalk.Read(TestPaths.TerritoryFact(NutsCrosswalk.DefaultFileName));
        using var file = new TempFile("areas.csv", "programme,period,nuts_code\r\nP,2014-2020,BE234\r\n");

        var ex = Assert.Throws<TerritoryImportException>(() => ProgrammeAreaReader.Read(file.Path, crosswalk));

        Assert.Equal((1, "nuts_level"), (ex.LineNumber, ex.PropertyName));
    }
}

public class EurometropoleMunicipalitiesReaderTests
{
    [Fact]
    public void Read_RealFile_Has95FrenchAnd60BelgianMunicipalities()
    {
        var rows = EurometropoleMunicipalitiesReader.Read(TestPaths.TerritoryFact(EurometropoleMunicipalitiesReader.DefaultFileName));

        Assert.Equal(155, rows.Count);
        Assert.Equal(95, rows.Count(r => r.Country == "FR" && r.InMel95));
        Assert.Equal(90, rows.Count(r => r.Country == "FR" && r.InMel90));
        Assert.Equal(60, rows.Count(r => r.Country == "BE"));
        var known = SharedData.Belgian.Concat(SharedData.French).Select(u => u.Code).ToHashSet();
        Assert.All(rows, r => Assert.Contains(r.UnitCode, known));
    }

    [Fact]
    public void ToEntity_Lille_HasPerimeterFlags()
    {
        var lille = EurometropoleMunicipalitiesReader.Read(TestPaths.TerritoryFact(EurometropoleMunicipalitiesReader.DefaultFileName))
            .Single(r => r.LauCode == "59350");

        var entity = lille.ToEntity(groupingId: 1);

        Assert.Equal(("FR59350", "FR", "mel90 mel95 y2025"), (entity.UnitCode, entity.Country, entity.Perimeters));
    }

    [Fact]
    public void Read_BadFlag_ThrowsWithLineAndColumn()
    {
        using var file = new TempFile("emm.csv",
            "country,lau_code,name,in_perimeter_mel90,in_perimeter_mel95,in_perimeter_2025\n"
            + "FR,59350,Lille,yes,yes,yes\nFR,59599,Tourcoing,yes,maybe,yes\n");

        var ex = Assert.Throws<TerritoryImportException>(() => EurometropoleMunicipalitiesReader.Read(file.Path));

        Assert.Equal((3, "in_perimeter_mel95"), (ex.LineNumber, ex.PropertyName));
    }
}
