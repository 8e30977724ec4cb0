using System.Collections.Concurrent;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Passerelle.Core.Common;

/// <summary>
/// When the background start-up work of a component (the search index, the territory index) may begin. In production
/// nothing is held: the default gate is open and the work starts as soon as the host has started.
/// </summary>
/// <remarks>
/// Why this exists: "before the index is ready" lasts well under a second on the test data, so a test cannot observe
/// it without either sleeping (flaky) or faking the engine (no longer testing the real thing). A test registers a gate
/// holding a component, sees the host answer while that component is still starting, then releases it; everything the
/// component does afterwards is the real work.
/// </remarks>
public sealed class StartupGate
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);

    /// <summary>A gate holding the named components until <see cref="Release"/>; none holds nothing.</summary>
    public StartupGate(params string[] held)
    {
        foreach (var name in held)
        {
            _held[name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes when the component may start (at once unless it is held).</summary>
    public Task WaitAsync(string component, CancellationToken ct) =>
        _held.TryGetValue(component, out var hold) ? hold.Task.WaitAsync(ct) : Task.CompletedTask;

    public void Release(string component)
    {
        if (_held.TryGetValue(component, out var hold))
        {
            hold.TrySetResult();
        }
    }
}

public static class StartupGateServiceCollectionExtensions
{
    /// <summary>The open gate, unless something (a test) registered one before.</summary>
    public static IServiceCollection TryAddStartupGate(this IServiceCollection services)
    {
        services.TryAddSingleton(new StartupGate());
        return services;
    }
}
