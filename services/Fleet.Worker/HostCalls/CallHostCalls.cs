using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Blobs;
using Fleet.Worker.Runtimes.HostCalls;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Worker.HostCalls;

/// <summary>
/// The host calls a placed call may make: <c>progress</c> (logged: no client of Fleet's reads it yet), <c>state.*</c>
/// in its function's namespace, <c>invoke</c>, and for Faasm's functions <c>file.read</c> of the shared files; anything
/// else is not available.
/// </summary>
internal sealed partial class CallHostCalls(
    IFleetStore store, PayloadBlobs payloads, IOptions<StoreOptions> storeOptions, IClientFactory clients, Heartbeat heartbeat, HeldCalls held, TimeProvider time,
    ILogger<CallHostCalls> logger)
{
    private readonly Lazy<IRequestClient<InvokeFunction>> _scheduler = new(() => clients.CreateRequestClient<InvokeFunction>(QueueNames.SchedulerAddress));

    /// <param name="slot">The slot <paramref name="call"/> runs in.</param>
    /// <param name="heldBy">The ledger that counts the call as held here (<see cref="HeldCalls"/>), if any.</param>
    public IHostCallHandler For(InvokeFunction call, ExecutionSlots.Slot slot, string? heldBy)
    {
        ArgumentNullException.ThrowIfNull(call);
        var capacity = new CallCapacity(slot, held, heldBy, heartbeat.Nudge);
        var chained = new ChainedCallHostCalls(
            call, capacity, store, payloads, storeOptions.Value, _scheduler.Value, time, UnavailableHostCalls.Instance, logger);
        IHostCallHandler shared = CallConventions.IsFaasm(call.Function.Convention)
            ? new SharedFileHostCalls(new StateHostCalls(store.State, FunctionNamespaces.SharedFiles, 0, UnavailableHostCalls.Instance, logger), chained)
            : chained;
        var state = new StateHostCalls(store.State, call.Function.Namespace, storeOptions.Value.MaxStateValueBytes, shared, logger);
        return new ProgressHostCalls(new Progress(logger, call.RequestId), state);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RequestId}: progress {Fraction}")]
    private static partial void LogProgress(ILogger logger, string requestId, double fraction);

    private sealed class Progress(ILogger logger, string requestId) : IProgress<double>
    {
        public void Report(double value) => LogProgress(logger, requestId, value);
    }
}
