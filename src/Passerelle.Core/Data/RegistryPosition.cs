using Microsoft.EntityFrameworkCore;

namespace Passerelle.Core.Data;

/// <summary>
/// Where the registry stands: its last change-feed entry and its last revision. Every write adds to one or both in
/// its transaction (ADR 5, ADR 10), feed entries commit in Id order (ADR 5) and a restore marks itself above every Id
/// seen before (ADR 6), so two reads at the same position read the same registry. Reading it costs two indexed reads
/// of the tables' ends. What is computed from the whole registry (<see cref="RegistryCache{T}"/>, the published export
/// files) is labelled with the position read before it began.
/// </summary>
public sealed record RegistryPosition(long Feed, long Revisions)
{
    public static async Task<RegistryPosition> ReadAsync(PasserelleDbContext db, CancellationToken ct) => new(
        await db.ChangeFeed.MaxAsync(e => (long?)e.Id, ct) ?? 0,
        await db.Revisions.MaxAsync(r => (long?)r.Id, ct) ?? 0);
}
