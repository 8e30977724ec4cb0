using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;

namespace Passerelle.Core.Data;

/// <summary>
/// Reads and writes the <see cref="KeptRegistryValue"/> rows (ADR 37). A value is a function of the registry at a
/// position (<see cref="RegistryPosition"/>), and the position is in the same database: a copy, a restore (which moves
/// the position, ADR 6) or another database never meets a value that is not its own. The build is part of the check
/// because a newer build may compute or shape the value differently.
/// </summary>
internal static class KeptRegistryValues
{
    private static readonly string Build = CoreBuild.Id;

    /// <summary>The JSON options of a value made of records, lists and dictionaries of plain values.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>The value kept for this position by this build, with when it was computed; null when there is none.</summary>
    public static async Task<(T Value, DateTimeOffset ComputedAt)?> ReadAsync<T>(
        PasserelleDbContext db, string name, RegistryPosition position, JsonSerializerOptions json, CancellationToken ct)
        where T : class
    {
        var kept = await db.KeptRegistryValues.AsNoTracking()
            .Where(v => v.Name == name && v.Build == Build && v.Feed == position.Feed && v.Revisions == position.Revisions)
            .Select(v => new { v.Value, v.ComputedAt })
            .FirstOrDefaultAsync(ct);
        return kept is not null && JsonSerializer.Deserialize<T>(kept.Value, json) is { } value ? (value, kept.ComputedAt) : null;
    }

    /// <summary>Keeps the value for its position, in place of any earlier one.</summary>
    public static async Task SaveAsync<T>(
        PasserelleDbContext db, string name, RegistryPosition position, DateTimeOffset computedAt, T value, JsonSerializerOptions json, CancellationToken ct)
    {
        var text = JsonSerializer.Serialize(value, json);
        // One statement, which SQLite (3.24 and later) and PostgreSQL both understand. A computation that began earlier
        // may end later (another instance sharing a PostgreSQL database, or this one's previous computation): a value of
        // an older position never replaces a newer one of the same build. Positions only grow (a restore marks itself
        // above every id seen, ADR 6); another build's value is always replaced.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "KeptRegistryValues" ("Name", "Build", "Feed", "Revisions", "ComputedAt", "Value")
            VALUES ({name}, {Build}, {position.Feed}, {position.Revisions}, {computedAt}, {text})
            ON CONFLICT ("Name") DO UPDATE SET "Build" = excluded."Build", "Feed" = excluded."Feed",
                "Revisions" = excluded."Revisions", "ComputedAt" = excluded."ComputedAt", "Value" = excluded."Value"
            WHERE "KeptRegistryValues"."Build" <> excluded."Build"
                OR excluded."Feed" > "KeptRegistryValues"."Feed"
                OR (excluded."Feed" = "KeptRegistryValues"."Feed" AND excluded."Revisions" >= "KeptRegistryValues"."Revisions")
            """, ct);
    }
}
