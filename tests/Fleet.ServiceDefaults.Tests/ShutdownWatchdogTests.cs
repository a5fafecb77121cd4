using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.ServiceDefaults.Tests;

/// <summary>SIGTERM ends a service within a bound, whatever keeps its host from stopping.</summary>
public sealed class ShutdownWatchdogTests
{
    [Fact]
    public void The_bound_is_the_drain_then_the_hosts_limit_then_the_watchdogs_grace()
    {
        var options = new ShutdownOptions { DrainSeconds = 60 };

        Assert.Equal(TimeSpan.FromSeconds(60), options.Drain);
        Assert.Equal(TimeSpan.FromSeconds(90), options.HostLimit);
        Assert.Equal(TimeSpan.FromSeconds(100), options.Bound);
    }

    [Fact]
    public async Task A_shutdown_that_outlives_the_bound_ends_the_process()
    {
        using var lifetime = new Lifetime();
        var time = new FakeTimeProvider();
        var exits = 0;
        using var watchdog = Watchdog(lifetime, time, () => exits++);
        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, exits);

        await lifetime.StopAsync();
        time.Advance(Options.Bound - TimeSpan.FromSeconds(1));
        Assert.Equal(0, exits);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, exits);
    }

    [Fact]
    public async Task A_host_that_stops_in_time_disposes_the_watchdog_before_it_fires()
    {
        using var lifetime = new Lifetime();
        var time = new FakeTimeProvider();
        var exits = 0;
        var watchdog = Watchdog(lifetime, time, () => exits++);
        await watchdog.StartAsync(TestContext.Current.CancellationToken);

        await lifetime.StopAsync();
        time.Advance(Options.HostLimit);
        watchdog.Dispose();
        time.Advance(Options.Bound);

        Assert.Equal(0, exits);
    }

    private static ShutdownOptions Options { get; } = new() { DrainSeconds = 5 };

    private static ShutdownWatchdog Watchdog(Lifetime lifetime, TimeProvider time, Action exit) =>
        new(lifetime, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<ShutdownWatchdog>.Instance, time) { Exit = exit };

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public Task StopAsync() => _stopping.CancelAsync();

        public void Dispose() => _stopping.Dispose();
    }
}
