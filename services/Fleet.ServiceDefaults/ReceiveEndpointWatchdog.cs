using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.ServiceDefaults;

/// <summary>
/// The safety net behind the bus's own recovery. MassTransit brings every receive endpoint back after a broker restart;
/// one that it did not would leave its queue without a consumer for good (a service's own queue: the fleet stops
/// hearing its workers). So a receive endpoint that stays down, faulted or stopped, for <see cref="StuckAfter"/> while
/// another endpoint of the bus is ready (the broker is up) gets the bus stopped and started again, logged.
/// </summary>
internal sealed partial class ReceiveEndpointWatchdog(IBusControl bus, TimeProvider time, ILogger<ReceiveEndpointWatchdog> logger)
    : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RestartLimit = TimeSpan.FromSeconds(60);

    private readonly Dictionary<Uri, DateTimeOffset> _downSince = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (FindStuck() is { } stuck)
            {
                LogRestarting(logger, stuck.InputAddress, stuck.Description, StuckAfter.TotalSeconds);
                await RestartBusAsync(stoppingToken);
                _downSince.Clear();
            }
        }
    }

    /// <summary>An endpoint down for longer than <see cref="StuckAfter"/> while another is ready, if any.</summary>
    private EndpointHealthResult? FindStuck()
    {
        var now = time.GetUtcNow();
        var endpoints = bus.CheckHealth().Endpoints.Values.ToList();
        foreach (var endpoint in endpoints.Where(e => e.Status == BusHealthStatus.Healthy))
        {
            _downSince.Remove(endpoint.InputAddress);
        }

        var brokerUp = endpoints.Any(e => e.Status == BusHealthStatus.Healthy);
        foreach (var endpoint in endpoints.Where(e => e.Status != BusHealthStatus.Healthy))
        {
            var since = _downSince.TryAdd(endpoint.InputAddress, now) ? now : _downSince[endpoint.InputAddress];
            if (brokerUp && now - since > StuckAfter)
            {
                return endpoint;
            }
        }

        return null;
    }

    private async Task RestartBusAsync(CancellationToken stoppingToken)
    {
        using (var stopLimit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            stopLimit.CancelAfter(RestartLimit);
            await bus.StopAsync(stopLimit.Token);
        }

        // A start that fails (the broker went away again) leaves the bus stopped: try until it runs.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bus.StartAsync(stoppingToken);
                LogRestarted(logger);
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogStartFailed(logger, error);
                await Task.Delay(CheckEvery, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Receive endpoint {InputAddress} has been down ({Description}) for over {Seconds} s while the broker is up; restarting the bus")]
    private static partial void LogRestarting(ILogger logger, Uri inputAddress, string? description, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus restarted by the receive endpoint watchdog")]
    private static partial void LogRestarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus did not start again; trying once more")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
