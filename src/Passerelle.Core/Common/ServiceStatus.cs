using System.Collections.Concurrent;

namespace Passerelle.Core.Common;

/// <summary>The state of one piece of start-up work that runs in the background.</summary>
public enum ComponentState
{
    /// <summary>Being prepared (an index being built, territories being imported): not ready yet, not a fault.</summary>
    Starting = 0,

    /// <summary>Working.</summary>
    Ready = 1,

    /// <summary>Working without something optional (e.g. no territories: maps and the eligibility finder are off).</summary>
    Degraded = 2,

    /// <summary>Failed; the reason says what to do.</summary>
    Failed = 3,
}

/// <summary>
/// One component's state and, in words for an operator, why it is not ready (or, for a ready one, what it holds, e.g.
/// "1,234 documents; the index on disk was reused"). Reasons are shown on /readyz: never put secrets or connection
/// details in them.
/// </summary>
public sealed record ComponentStatus(string Name, ComponentState State, string? Reason, bool GatesReadiness, DateTimeOffset Since);

/// <summary>
/// What the background start-up work (search index, territory index, territory import, default data) has reached.
/// Components report here; <c>/readyz</c> says whether the instance can take traffic (every component that gates
/// readiness is ready or degraded) and <c>/healthz</c> reports the degraded ones with their reason. A singleton: each
/// instance behind a load balancer has its own.
/// </summary>
public sealed class ServiceStatus(TimeProvider clock)
{
    public const string Search = "search";
    public const string Territories = "territories";
    public const string TerritoryIndex = "territory-index";
    public const string DefaultData = "default-data";

    private readonly ConcurrentDictionary<string, ComponentStatus> _components = new(StringComparer.Ordinal);

    /// <summary>Records a component's state; <paramref name="gatesReadiness"/> says whether traffic waits for it.</summary>
    public void Set(string name, ComponentState state, string? reason = null, bool gatesReadiness = true) =>
        _components[name] = new ComponentStatus(name, state, reason, gatesReadiness, clock.GetUtcNow());

    public ComponentStatus? Get(string name) => _components.TryGetValue(name, out var status) ? status : null;

    public IReadOnlyList<ComponentStatus> All => [.. _components.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>Ready for traffic: no component that gates readiness is still starting or has failed.</summary>
    public bool IsReady => _components.Values.All(c => !c.GatesReadiness || c.State is ComponentState.Ready or ComponentState.Degraded);
}
