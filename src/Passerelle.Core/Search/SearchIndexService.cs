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
    // Before any hosted service's start, so before the database's start-up: the index's files are read meanwhile.
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        index.BeginOpening();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The index opens while the rest of the host starts (issue 17: a restart serves its first search within 2 s, and
    // the host's own start and first request take longer than the index's opening, ADR 7 "Restart"): it needs only
    // the database, ready before this service starts.
    protected override bool AfterHostStart => false;

    protected override Task RunAsync(CancellationToken stoppingToken) => index.StartAsync(stoppingToken);
}
