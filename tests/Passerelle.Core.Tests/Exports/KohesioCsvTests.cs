using System.Text;

using Passerelle.Core.Common;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;

using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Core.Tests.Exports;

/// <summary>
/// The Kohesio CSV's rows mapped an operation at a time (its part of the row and its columns' checks once, then each
/// beneficiary's) must be the rows mapped one by one, name what the schema's whole check finds, and be written straight
/// to UTF-8 with the file's quoting and formula guard.
/// </summary>
public sealed class KohesioCsvTests
{
    private static KohesioSourceRow Source(int project, string? start = "2023-01-15") => new(
        project, "p" + project, "ACR" + project,
        new LocalizedText { En = "Rivers together " + project, Fr = "Rivières ensemble " + project },
        new LocalizedText { En = "Water quality across the border.", Fr = "La qualité de l'eau." },
        start, "2026-06-30", 1_000_000m, 600_000m, null, "1", "Water", "2021-2027", null,
        "Interreg France-Wallonie-Vlaanderen", null, null, null, ["ERDF"], ["FR"],
        null, "062", null, null, null, null, null, null, null, null, "interreg-fwvl-2021-2027");

    private static readonly List<string> TwoCountries = ["FR", "BE"];

    private static KohesioSourceRow[] Sources() =>
    [
        // One operation, three beneficiaries: a point from coordinates; no country (the programme's one country
        // stands in) and no coordinates; another country and point.
        Source(1) with { BeneficiaryName = "Ville de Lille", BeneficiaryCountry = "FR", BeneficiaryLatitude = 50.63, BeneficiaryLongitude = 3.06 },
        Source(1) with { BeneficiaryName = " Intercommunale Ideta", BeneficiaryCountry = null },
        Source(1) with { BeneficiaryName = "Provincie West-Vlaanderen", BeneficiaryCountry = "BE", BeneficiaryLatitude = 51.2, BeneficiaryLongitude = 3.22 },
        // An operation with its own point (a fact), which every beneficiary's row carries, of a programme of two
        // countries (one list, as the merge join shares a programme's): a beneficiary without country has none.
        Source(2) with { Point = "3.1, 50.7", ProgrammeCountries = TwoCountries, BeneficiaryName = "=HYPERLINK(\"x\")", BeneficiaryCountry = "BE", BeneficiaryLatitude = 51.0, BeneficiaryLongitude = 4.0 },
        Source(2) with { Point = "3.1, 50.7", ProgrammeCountries = TwoCountries, BeneficiaryName = "Eurometropole", BeneficiaryCountry = "FR" },
        Source(2) with { Point = "3.1, 50.7", ProgrammeCountries = TwoCountries, BeneficiaryName = "Nowhere Ltd", BeneficiaryCountry = null },
        // An operation without beneficiary and with a date known to the month only (incomplete: named as missing).
        Source(3, start: "2023-01"),
        // The same project again with another value (not one operation's beneficiary rows): mapped anew.
        Source(3, start: "2022-05-01") with { BeneficiaryName = "Ville de Tournai", BeneficiaryCountry = "BE" },
    ];

    [Fact]
    public async Task MapAsync_OperationsWithSeveralBeneficiaries_SameRowsAsEachMappedAlone()
    {
        var sources = Sources();
        var expected = new List<KohesioRow>();
        foreach (var source in sources)
        {
            expected.AddRange(await MapAsync([source]));
        }

        var actual = await MapAsync(sources);

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].ProjectId, expected[i].OperationId, expected[i].Name), (actual[i].ProjectId, actual[i].OperationId, actual[i].Name));
            Assert.Equal(expected[i].Values.OrderBy(v => v.Key, StringComparer.Ordinal), actual[i].Values.OrderBy(v => v.Key, StringComparer.Ordinal));
            Assert.Equal(expected[i].Missing, actual[i].Missing);
            // What is named missing is what the schema's check of the whole row finds, column by column, in its order
            // (an entry is the column, with the reason or a note in brackets).
            Assert.Equal(
                K.Check(actual[i].Values).Select(p => p.Column).Distinct(),
                actual[i].Missing.Select(m => m == K.LocationRule ? m : m.Split(" (", 2)[0]).Distinct());
        }

        // Not a vacuous comparison: the beneficiary's columns differ within an operation, and so does what is missing (a
        // row without any location, a country the schema does not know); the last two rows differ in an operation's
        // column and in what is missing.
        Assert.Equal(3, actual.Take(3).Select(r => (r.Values[K.BeneficiaryName], r.Values[K.Country], r.Values[K.GeoPoint])).Distinct().Count());
        Assert.Null(actual[1].Values[K.GeoPoint]);
        Assert.Contains(K.LocationRule, actual[1].Missing);
        Assert.DoesNotContain(K.LocationRule, actual[0].Missing);
        Assert.Equal(actual[3].Values[K.GeoPoint], actual[4].Values[K.GeoPoint]);
        Assert.Contains(K.Country, actual[5].Missing);
        Assert.DoesNotContain(K.Country, actual[4].Missing);
        Assert.NotEqual(actual[6].Values[K.StartDate], actual[7].Values[K.StartDate]);
        Assert.NotEmpty(actual[6].Missing);
        Assert.NotEqual(actual[6].Missing, actual[7].Missing);
    }

    [Fact]
    public void AppendLine_QuotesAndGuards_AsTheFileWritesThem()
    {
        string?[] cells =
        [
            "plain", null, "", "a,b", "say \"hi\"", "two\r\nlines", " leading", "trailing ", "=1+1", "-9.05, 53.27", "+ spaced ", "Région",
        ];
        // Free text: every cell but the point ("-9.05, 53.27", a checked code the guard must leave as it is).
        bool[] freeText = [.. cells.Select((_, i) => i != 9)];

        Assert.Equal(
            "plain,,,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\" leading\",\"trailing \",'=1+1,\"-9.05, 53.27\",\"'+ spaced \",Région\r\n",
            Line(cells, freeText, guard: true));
        // Unguarded (the header): no apostrophe, so a leading sign stays and a leading space is quoted.
        Assert.Equal("=1+1,\" x\"\r\n", Line(["=1+1", " x"], [true, true], guard: false));
    }

    private static async Task<List<KohesioRow>> MapAsync(KohesioSourceRow[] sources)
    {
        var rows = new List<KohesioRow>();
        await foreach (var row in KohesioCsv.MapAsync(sources.ToAsyncEnumerable(), TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static string Line(string?[] cells, bool[] freeText, bool guard)
    {
        using var output = new MemoryStream();
        using (var buffer = new Utf8ChunkBuffer(output, 1024))
        {
            KohesioCsv.AppendLine(buffer, cells, freeText, guard);
            buffer.FlushAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
