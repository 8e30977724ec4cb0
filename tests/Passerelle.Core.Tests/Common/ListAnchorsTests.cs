using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

/// <summary>Where a page asked by number starts from a list's anchors (the last rows of each block of rows).</summary>
public sealed class ListAnchorsTests
{
    // Rows 0..11 of a list, anchors every 4: rows 3, 7 and 11.
    private static readonly ListAnchors Anchors = new(4, ["d", "h", "l"], [3, 7, 11]);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Before_RowInTheFirstBlock_IsNull(int skip) => Assert.Null(Anchors.Before(skip));

    [Theory]
    [InlineData(4, "d", 3, 0)]
    [InlineData(7, "d", 3, 3)]
    [InlineData(8, "h", 7, 0)]
    [InlineData(11, "h", 7, 3)]
    [InlineData(12, "l", 11, 0)]
    [InlineData(30, "l", 11, 18)]
    public void Before_LaterRow_TheAnchorBeforeItAndTheRowsLeft(int skip, string key, int id, int left)
    {
        var (cursor, rest) = Anchors.Before(skip)!.Value;

        Assert.Equal(new PageCursor(key, id, Before: false), cursor);
        Assert.Equal(left, rest);
    }

    [Fact]
    public void Before_ListShorterThanABlock_IsNull() => Assert.Null(new ListAnchors(4, [], []).Before(int.MaxValue));
}
