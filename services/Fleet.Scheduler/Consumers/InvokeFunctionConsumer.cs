using Fleet.Contracts;
using Fleet.Scheduler.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

/// <summary>
/// Places an invocation and forwards it, keeping the gateway's RequestId and ResponseAddress so that the worker
/// answers the gateway directly. Refusals are answered here (sync) or stored as failed outcomes (async).
/// </summary>
internal sealed partial class InvokeFunctionConsumer(
    WorkerLedger ledger, CallResultWriter results, SchedulerIdentity identity, TimeProvider time, ILogger<InvokeFunctionConsumer> logger)
    : IConsumer<InvokeFunction>
{
    public async Task Consume(ConsumeContext<InvokeFunction> context)
    {
        var call = context.Message;
        var now = time.GetUtcNow();
        if (call.Deadline is { } deadline && deadline <= now)
        {
            ledger.CountDrop();
            await RefuseAsync(context, now, "deadline can no longer be met");
            return;
        }

        // A call with a deadline is never parked in the queue: it would risk running late.
        var placement = ledger.Place(call.Function, mayQueue: call.Deadline is null);
        if (placement.IsRefused)
        {
            await RefuseAsync(context, now, "no capacity");
            return;
        }

        LogPlaced(logger, call.RequestId, placement.IsQueued ? QueueNames.SharedWork : placement.WorkerId, placement.Warm);
        var endpoint = await context.GetSendEndpoint(placement.Address!);
        var work = new RunInvocation { Invocation = call, LedgerAddress = identity.Address, PlacedOn = placement.WorkerId };
        await endpoint.Send(work, send =>
        {
            send.RequestId = context.RequestId;
            send.ResponseAddress = context.ResponseAddress;
            send.FaultAddress = context.FaultAddress;
            EndpointConventions.StampCall(send, call.Async, call.QosClass);
        }, context.CancellationToken);
    }

    private async Task RefuseAsync(ConsumeContext<InvokeFunction> context, DateTimeOffset now, string reason)
    {
        var call = context.Message;
        LogRefused(logger, call.RequestId, reason);
        var refusal = new InvocationResult
        {
            RequestId = call.RequestId,
            Status = InvocationStatus.Refused,
            Error = reason,
            ResponseTime = (now - call.ReceivedAt).TotalSeconds,
            CompletedAt = now,
        };
        if (call.Async)
        {
            await results.WriteAsync(refusal, context.CancellationToken);
        }
        else if (context.ResponseAddress is not null)
        {
            await context.RespondAsync<InvocationResult>(refusal, EndpointConventions.Transient);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Placed {RequestId} on {Target} (warm: {Warm})")]
    private static partial void LogPlaced(ILogger logger, string requestId, string target, bool warm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {RequestId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string requestId, string reason);
}
