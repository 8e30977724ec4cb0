using System.Globalization;

namespace Passerelle.Core.Statistics;

/// <summary>
/// Which sources an amount shown by a record comes from. The record's column holds the value shown first, the
/// preferred one (ADR 1); sums use it. Its sources are the first value's and those of the other values that give the
/// same amount: several sources agreeing on a figure all back it.
/// </summary>
internal static class PreferredValue
{
    /// <summary>
    /// The sources of <paramref name="shown"/> among one field's current facts (any order): those whose amount equals
    /// it (to the cent), else the first fact's (the column is written from the first value, so one always matches).
    /// </summary>
    public static List<int> Sources(IEnumerable<(string Value, int SourceId, int Rank, long Id)> facts, decimal shown)
    {
        var ordered = facts.OrderBy(f => f.Rank).ThenBy(f => f.Id).ToList();
        if (ordered.Count == 0)
        {
            return [];
        }

        var same = ordered.Where(f => SameAmount(f.Value, shown)).Select(f => f.SourceId).Distinct().ToList();
        return same.Count > 0 ? same : [ordered[0].SourceId];
    }

    private static bool SameAmount(string value, decimal shown) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
        && Math.Round(amount, 2) == Math.Round(shown, 2);
}
