using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

/// <summary>
/// Opens or builds the search index in the background as the host starts: the portal serves at once, and search
/// answers "not ready" (503) meanwhile instead of building the index inside someone's request.
/// </summary>
public sealed class SearchIndexService(
    SearchIndex index, ServiceStatus status, StartupGate gate, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<SearchIndexService> logger)
    : BackgroundStart(ServiceStatus.Search, status, gate, lifetime, clock, logger), IHostedLifecycleService
{
    // The index opens while the rest of the host starts (issue 17: a restart serves its first search within 2 s, ADR 7
    // "Restart", ADR 36). Its files are read from here, before any hosted service's start and so beside the database's
    // start-up; its database checks wait for the database (RunAsync, once the hosted services before it have started).
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        index.BeginOpening();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override bool AfterHostStart => false;

    protected override Task RunAsync(CancellationToken stoppingToken) => index.StartAsync(stoppingToken);
}
