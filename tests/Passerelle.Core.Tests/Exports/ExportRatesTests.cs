using Passerelle.Core.Common;
using Passerelle.Core.Exports;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Tests.Exports;

public sealed class ExportRatesTests
{
    [Theory]
    [InlineData(null, 3908751.0, 2345251.0, 60.0)]   // BISEPS: computed from two sourced amounts
    [InlineData(0.5, 2592458.80, null, 50.0)]         // ALARM FWV: stated
    [InlineData(0.5, 100.0, 80.0, 50.0)]              // a stated rate wins over the amounts
    [InlineData(null, 2291643.50, 1260403.92, 55.0)]  // VALYS
    public void Percent_KnownRate_PercentWithoutStorageScale(double? stated, double? total, double? eu, double expected)
    {
        var percent = ExportRates.Percent((decimal?)stated, (decimal?)total, (decimal?)eu);

        Assert.Equal((decimal)expected, percent);
        Assert.DoesNotContain(".", percent!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 1999711.41, null)]  // TEC!: total only
    [InlineData(null, null, 1000.0)]
    [InlineData(null, 0.0, 0.0)]
    public void Percent_OneAmountMissing_NullNeverGuessed(double? stated, double? total, double? eu) =>
        Assert.Null(ExportRates.Percent((decimal?)stated, (decimal?)total, (decimal?)eu));

    [Fact]
    public void OriginalLanguage_FrenchAndDutchTitles_FirstOfFrNlDe()
    {
        var row = new KeepProjectRow("fwv-2014-2020", "TEC!", new LocalizedText { En = "Eco-Citizens together!", Fr = "Tous Eco-Citoyens!", Nl = "Iedereen Eco-burger!" },
            LocalizedText.Empty, null, null, null, null, null, null, null, null, null);

        Assert.Equal("fr", row.OriginalLanguage);
    }

    [Fact]
    public void OriginalLanguage_EnglishOnly_Null()
    {
        var row = new KeepProjectRow("2seas-2014-2020", "BISEPS", new LocalizedText { En = "Business Clusters" }, new LocalizedText { En = "aspires" },
            null, null, null, null, null, null, null, null, null);

        Assert.Null(row.OriginalLanguage);
    }

    [Theory]
    [InlineData(ParticipationRole.LeadPartner, "lead partner")]
    [InlineData(ParticipationRole.Partner, "partner")]
    [InlineData(ParticipationRole.AssociatedPartner, "associated partner")]
    public void RoleText_EachRole_KeepWording(ParticipationRole role, string expected) => Assert.Equal(expected, KeepColumns.RoleText(role));

    [Fact]
    public void LegalStatusText_Unknown_EmptyNotGuessed() => Assert.Null(KeepColumns.LegalStatusText(LegalStatus.Unknown));

    [Theory]
    [InlineData("CSV", ExportFormat.Csv)]
    [InlineData("xlsx", ExportFormat.Xlsx)]
    [InlineData("geojson", ExportFormat.GeoJson)]
    [InlineData("pdf", null)]
    public void Parse_Extension_FormatOrNull(string extension, ExportFormat? expected) => Assert.Equal(expected, ExportFormats.Parse(extension));
}
