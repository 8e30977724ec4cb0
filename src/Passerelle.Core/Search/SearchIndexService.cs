using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Common;

namespace Passerelle.Core.Search;

/// <summary>
/// Opens or builds the search index in the background once the host has started: the portal serves at once, and
/// search answers "not ready" (503) meanwhile instead of building the index inside someone's request.
/// </summary>
public sealed class SearchIndexService(
    SearchIndex index, ServiceStatus status, StartupGate gate, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<SearchIndexService> logger)
    : BackgroundStart(ServiceStatus.Search, status, gate, lifetime, clock, logger)
{
    protected override Task RunAsync(CancellationToken stoppingToken) => index.StartAsync(stoppingToken);
}
