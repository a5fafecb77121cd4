using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.ServiceDefaults;

/// <summary>
/// Ends the process when stopping takes longer than <see cref="ShutdownOptions.Bound"/>: SIGTERM must end a service
/// within a known time whatever it is doing (a call that ignores cancellation, a disposal stuck on a broken
/// connection). What it leaves (cgroups, unacknowledged messages) is what a kill -9 leaves, which the fleet recovers.
/// </summary>
internal sealed partial class ShutdownWatchdog(
    IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, ILogger<ShutdownWatchdog> logger, TimeProvider time) : IHostedService, IDisposable
{
    private ITimer? _timer;
    private CancellationTokenRegistration _stopping;

    /// <summary>What ends the process; a test replaces it.</summary>
    internal Action Exit { get; init; } = () => Process.GetCurrentProcess().Kill();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(Arm);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stopping.Dispose();
        _timer?.Dispose();
    }

    private void Arm()
    {
        var bound = options.Value.Bound;
        _timer = time.CreateTimer(_ => Fire(bound), null, bound, Timeout.InfiniteTimeSpan);
    }

    private void Fire(TimeSpan bound)
    {
        LogExpired(logger, bound.TotalSeconds);
        Exit();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Shutdown did not finish within {Seconds} s; ending the process")]
    private static partial void LogExpired(ILogger logger, double seconds);
}
