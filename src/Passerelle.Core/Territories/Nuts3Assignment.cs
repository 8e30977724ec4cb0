namespace Passerelle.Core.Territories;

/// <summary>
/// Sets municipalities' NUTS 3 parents by majority over their administrative group. The 1:10M NUTS outlines are too
/// coarse for small border municipalities taken one by one (a few Nord communes fall in Pas-de-Calais, Spiere-Helkijn
/// in Hainaut), but NUTS 3 regions are whole administrative units: French départements (INSEE code prefix) and, since
/// NUTS 2021, Belgian arrondissements (first two NIS digits, which the 2019 reform renumbered for every municipality it
/// moved, unlike the file's stale <c>arr_nis</c>). So each municipality votes with its own geometric answer and the whole
/// group takes the most frequent one.
/// </summary>
internal static class Nuts3Assignment
{
    public static void AssignByMajority(IReadOnlyList<ImportedTerritory> municipalities, TerritoryLocator nuts,
        Func<ImportedTerritory, string> groupKey)
    {
        var votes = municipalities
            .Select(m => (Municipality: m, Group: groupKey(m), Vote: nuts.ContainingNuts3(m.Geometry, m.Unit.CountryCode)))
            .ToList();
        var winners = votes.Where(v => v.Vote is not null)
            .GroupBy(v => v.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(v => v.Vote!, StringComparer.Ordinal)
                .OrderByDescending(c => c.Count()).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key,
                StringComparer.Ordinal);
        foreach (var (municipality, group, vote) in votes)
        {
            municipality.Unit.ParentCode = winners.GetValueOrDefault(group) ?? vote;
        }
    }
}
