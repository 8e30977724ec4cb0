using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// The system clock, which a test can move forward: "31 days later" without waiting. Only what the app reads through
/// its TimeProvider moves (token expiry, last-used times, audit times, cookie lifetimes); timers and delays still run
/// in real time, so background work (the change feed, index builds) behaves as usual. Identity's authenticator codes
/// follow the system clock, not this one (see <see cref="Totp"/>).
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    /// <summary>Moves the app's "now" forward; it never goes back, so tests sharing a fixture stay consistent.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    /// <summary>Makes <paramref name="builder"/>'s app read the time from this clock.</summary>
    public void Install(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(this);
    });
}

/// <summary>A fixture whose app reads the time from a <see cref="TestClock"/>.</summary>
public interface IClockedApp
{
    TestClock Clock { get; }
}

/// <summary><see cref="PasserelleApp"/> (SQLite) with a <see cref="TestClock"/>.</summary>
public class SqliteClockedApp : PasserelleApp, IClockedApp
{
    public TestClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Clock.Install(builder);
    }
}

/// <summary><see cref="PostgresApp"/> with a <see cref="TestClock"/>.</summary>
public class PostgresClockedApp : PostgresApp, IClockedApp
{
    public TestClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Clock.Install(builder);
    }
}
