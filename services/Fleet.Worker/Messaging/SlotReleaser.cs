using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>Tells the scheduler instances that placed work here that its slots are free again, many releases per message under load.</summary>
internal sealed partial class SlotReleaser : IAsyncDisposable
{
    private readonly Batcher<(Uri Ledger, string Function, bool Placed, DateTimeOffset At)> _batcher;
    private readonly ILogger<SlotReleaser> _logger;
    private readonly TimeProvider _time;

    public SlotReleaser(ISendEndpointProvider endpoints, WorkerIdentity identity, TimeProvider time, ILogger<SlotReleaser> logger)
    {
        _logger = logger;
        _time = time;
        _batcher = new(async (releases, ct) =>
        {
            foreach (var group in releases.GroupBy(r => r.Ledger))
            {
                var endpoint = await endpoints.GetSendEndpoint(group.Key);
                var released = new SlotsReleased
                {
                    WorkerId = identity.Id,
                    Functions = [.. group.Select(r => r.Function)],
                    Placed = group.Count(r => r.Placed),
                    // The earliest: a heartbeat sent after it counts all of them free, one sent before it none.
                    SentAt = group.Min(r => r.At),
                };
                await SendDeadline.RunAsync(deadline => endpoint.Send<SlotsReleased>(released, EndpointConventions.Transient, deadline), ct);
            }
        });
    }

    /// <summary>Does not wait: a lost release only makes the scheduler's view stale until the next heartbeat.</summary>
    public void Release(Uri ledger, string function, bool placed) =>
        _batcher.EnqueueAsync((ledger, function, placed, _time.GetUtcNow()), CancellationToken.None).ContinueWith(
            t => LogReleaseFailed(_logger, t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report released slots")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
