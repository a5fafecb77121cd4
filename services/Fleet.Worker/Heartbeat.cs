using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Worker.Runtimes;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Worker;

/// <summary>
/// Publishes this worker's capacity and warm instances about once a second (sooner when nudged), sweeps idle
/// instances past their keep-alive, and announces draining as soon as the host starts stopping.
/// </summary>
internal sealed partial class Heartbeat(
    IBus bus, InstancePool pool, ExecutionSlots slots, HeldCalls held, WorkerIdentity identity, IOptions<WorkerOptions> options,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<Heartbeat> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private volatile bool _draining;

    public void Nudge()
    {
        if (_nudge.CurrentCount == 0)
        {
            try
            {
                _nudge.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another nudge got there first; one is enough.
            }
        }
    }

    public override void Dispose()
    {
        _nudge.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, identity.Id, slots.Total, options.Value.MemoryBudgetMB);
        lifetime.ApplicationStopping.Register(() =>
        {
            _draining = true;
            Nudge();
        });
        var lastSweep = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await PublishAsync(stoppingToken);
            if (time.GetUtcNow() - lastSweep > SweepInterval)
            {
                await pool.SweepAsync(stoppingToken);
                lastSweep = time.GetUtcNow();
            }

            try
            {
                await _nudge.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        var snapshot = pool.Snapshot();
        var heartbeat = new WorkerHeartbeat
        {
            WorkerId = identity.Id,
            Address = identity.Address,
            Slots = slots.Total,
            BusySlots = slots.Busy,
            Held = held.Snapshot(),
            MemoryBudgetMB = options.Value.MemoryBudgetMB,
            MemoryUsedMB = snapshot.MemoryUsedMB,
            Cpus = options.Value.Cpus > 0 ? options.Value.Cpus : Environment.ProcessorCount,
            IdleWarm = snapshot.IdleWarm,
            Runtimes = pool.Runtimes,
            Draining = _draining,
            SentAt = time.GetUtcNow(),
        };
        try
        {
            await SendDeadline.RunAsync(deadline => bus.Publish<WorkerHeartbeat>(heartbeat, EndpointConventions.Transient, deadline), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} serving with {Slots} slots and {MemoryMB} MB")]
    private static partial void LogStarted(ILogger logger, string workerId, int slots, int memoryMB);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat not published")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
