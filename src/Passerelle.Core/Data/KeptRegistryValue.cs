namespace Passerelle.Core.Data;

/// <summary>
/// A value computed from the whole registry (<see cref="RegistryCache{T}"/>), kept with the registry's position it was
/// computed at and the build that computed it, so that a start at the same position reads it instead of computing it
/// again (ADR 37). A cache: nothing reads it but the cache, and a row that does not match is computed again.
/// </summary>
public sealed class KeptRegistryValue
{
    /// <summary>The value's name (its type's).</summary>
    public required string Name { get; set; }

    /// <summary>The build that computed it (the Core assembly's module id).</summary>
    public required string Build { get; set; }

    /// <summary>The registry's position it was computed at: its last change-feed entry…</summary>
    public long Feed { get; set; }

    /// <summary>…and its last revision.</summary>
    public long Revisions { get; set; }

    public DateTimeOffset ComputedAt { get; set; }

    /// <summary>The value as JSON.</summary>
    public required string Value { get; set; }
}
