using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// The real host whose background start-up of the named components (<see cref="ServiceStatus.Search"/>,
/// <see cref="ServiceStatus.TerritoryIndex"/>) waits until the test calls <see cref="StartupGate.Release"/>. The
/// components and the engine are the real ones; only the moment their work begins is the test's (see StartupGate).
/// </summary>
public sealed class HeldApp(params string[] held) : PasserelleApp
{
    public StartupGate Gate { get; } = new(held);

    protected override bool WaitForReadiness => false;

    // The held components are built from the database when released, as at a first start.
    protected override bool IndexOnDisk => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(Gate));
    }
}
