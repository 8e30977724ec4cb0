using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;

namespace Passerelle.Core.Programmes;

/// <summary>
/// A programme code's name: the periods of one programme share its code (FWV, NWE), and filters and statistics that
/// group by the code name it as its latest period does.
/// </summary>
public static class ProgrammeNames
{
    /// <summary>Each code of these published programmes, with the name of its latest period.</summary>
    public static async Task<Dictionary<string, LocalizedText>> LatestByCodeAsync(IQueryable<Programme> programmes, CancellationToken ct) =>
        (await programmes.AsNoTracking().Where(p => p.IsPublished).Select(p => new { p.Code, p.Period, p.Name }).ToListAsync(ct))
            .GroupBy(p => p.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Period, StringComparer.Ordinal).First().Name, StringComparer.Ordinal);
}
