using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Passerelle.Core.Common;

/// <summary>
/// The shape of every background start-up job (the search index, the territory index): report Starting before the
/// host serves, wait until the host has started (so the database is migrated and the first request is not delayed;
/// the search index does not wait, see <see cref="AfterHostStart"/>), then run, retrying a failure with a growing delay
/// while reporting Failed with the reason.
/// </summary>
public abstract class BackgroundStart(
    string component, ServiceStatus status, StartupGate gate, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);

    /// <summary>The component's name in <see cref="ServiceStatus"/>.</summary>
    protected string Component { get; } = component;

    protected ServiceStatus Status { get; } = status;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the host serves anything: /readyz must not say "ready" in the moment before the work is scheduled.
        Status.Set(Component, ComponentState.Starting, "waiting for the host to start");
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the work waits until the host has started (the default). False starts it as soon as the hosted services
    /// before it have (the database's start-up service is the first of them, so the database is ready), alongside the
    /// rest of the host's start.
    /// </summary>
    protected virtual bool AfterHostStart => true;

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the thread starting the host, whatever the work does before its first wait.
        await Task.Yield();
        if (AfterHostStart)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }
        }

        await gate.WaitAsync(Component, stoppingToken);
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                await RunAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The reason is shown on /readyz: the exception's type only, its message may name servers or paths.
                logger.LogError(e, "{Component} could not be prepared; retrying in {Seconds} s", Component, delay.TotalSeconds);
                Status.Set(Component, ComponentState.Failed,
                    $"preparing it failed ({e.GetType().Name}, see the log); retrying in {delay.TotalSeconds:N0} s");
                await Task.Delay(delay, clock, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    /// <summary>The work; a throw is retried (so it must be safe to run again), a return ends the job.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);
}
