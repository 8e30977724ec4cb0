using System.Net;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// After a start, the territory index's build waits until the host has answered its first request, or
/// Territories:IndexStartAfter, whichever comes first (FirstResponse, ADR 36): it is not built beside the first request.
/// </summary>
public sealed class TerritoryIndexStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class App(string startAfter) : PasserelleApp
    {
        protected override bool WaitForReadiness => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Territories:IndexStartAfter", startAfter);
        }
    }

    private static ComponentStatus TerritoryIndex(PasserelleApp app) =>
        app.Services.GetRequiredService<ServiceStatus>().All.Single(c => c.Name == ServiceStatus.TerritoryIndex);

    [Fact]
    public async Task TerritoryIndex_NoRequestYet_WaitsThenTheFirstAnsweredRequestStartsItsBuild()
    {
        // A wait far longer than the test: only the answered request can end it.
        await using var app = new App("01:00:00");
        await app.InitializeAsync();
        await ReadinessExtensions.WaitUntilAsync(
            () => TerritoryIndex(app).Reason == "waiting until the first request is answered", "the territory index's wait");
        // Still waiting a moment later: nothing but a response ends it.
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        Assert.Equal(ComponentState.Starting, TerritoryIndex(app).State);
        Assert.False(app.Services.GetRequiredService<ServiceStatus>().IsReady);

        using var client = app.CreateClient();
        using var response = await client.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await app.Services.WaitUntilReadyAsync();
        Assert.Equal(ComponentState.Ready, TerritoryIndex(app).State);
    }

    [Fact]
    public async Task TerritoryIndex_NoRequestAtAll_BuiltOnceItsWaitHasPassed()
    {
        await using var app = new App("00:00:00.2");
        await app.InitializeAsync();

        await app.Services.WaitUntilReadyAsync();

        Assert.Equal(ComponentState.Ready, TerritoryIndex(app).State);
        Assert.False(app.Services.GetRequiredService<FirstResponse>().HasAnswered);
    }
}
