using System.Globalization;

using Passerelle.Core.Imports;

using K = Passerelle.Core.Exports.KohesioSchema;

namespace Passerelle.Core.Tests.Imports;

/// <summary>
/// What the Kohesio import's first pass keeps of an operation's values to check its later rows (one hash of all the
/// operation columns, an 8-bit tag of each to name the column that differs).
/// </summary>
public sealed class KohesioOperationValuesTests
{
    private static Dictionary<string, string?> Row(string amount, string? name = "Operation name", string? summary = "Summary")
    {
        var row = KohesioImporter.OperationColumns.ToDictionary(c => c, c => (string?)("value of " + c), StringComparer.Ordinal);
        row[K.Amount] = amount;
        row[K.NameEnglish] = name;
        row[K.SummaryEnglish] = summary;
        return row;
    }

    [Fact]
    public void Of_SameValues_AgreeAndNameNoColumn()
    {
        var first = KohesioImporter.OperationValues.Of(Row("1000"));
        var again = KohesioImporter.OperationValues.Of(Row("1000"));

        Assert.Equal(first.All, again.All);
        Assert.Null(first.FirstDifferentColumn(again));
    }

    [Fact]
    public void Of_OneColumnDiffers_DisagreeAndTheColumnIsNamedUnlessItsTagsCollide()
    {
        var first = KohesioImporter.OperationValues.Of(Row("1000"));
        var named = 0;
        for (var i = 0; i < 1000; i++)
        {
            var other = KohesioImporter.OperationValues.Of(Row(i.ToString(CultureInfo.InvariantCulture)));
            Assert.NotEqual(first.All, other.All);
            if (first.FirstDifferentColumn(other) is { } column)
            {
                Assert.Equal(K.Amount, column);
                named++;
            }
        }

        // An 8-bit tag is the same for about one value in 256: most differences name their column.
        Assert.InRange(named, 950, 999);
    }

    [Fact]
    public void Of_TwoColumnsSwapped_Disagree()
    {
        var first = KohesioImporter.OperationValues.Of(Row("1000", name: "A", summary: "B"));
        var swapped = KohesioImporter.OperationValues.Of(Row("1000", name: "B", summary: "A"));

        Assert.NotEqual(first.All, swapped.All);
    }
}
