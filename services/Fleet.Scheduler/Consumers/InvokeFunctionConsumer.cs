using Fleet.Contracts;
using Fleet.Placement;
using Fleet.Scheduler.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage.Calls;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

/// <summary>
/// Places one invocation and forwards it, keeping the gateway's RequestId and ResponseAddress so that the worker
/// answers the gateway directly. Refusals are answered here (sync) or stored as failed outcomes (async).
/// </summary>
internal sealed partial class InvokeFunctionConsumer(
    WorkerLedger ledger, CallResultWriter results, SchedulerIdentity identity, FleetMetrics metrics, TimeProvider time, ILogger<InvokeFunctionConsumer> logger)
    : IConsumer<InvokeFunction>
{
    public async Task Consume(ConsumeContext<InvokeFunction> context)
    {
        var call = context.Message;
        var now = time.GetUtcNow();
        var placement = Admission.Admit(ledger, call, now, out var reason);
        if (placement.IsRefused)
        {
            Admission.LogRefused(logger, call.RequestId, reason);
            var refusal = Admission.Refusal(call, now, reason, metrics);
            if (call.Async)
            {
                await results.WriteAsync(call, refusal, context.CancellationToken);
            }
            else if (context.ResponseAddress is not null)
            {
                await context.RespondAsync<InvocationResult>(refusal, EndpointConventions.Transient);
            }

            return;
        }

        LogPlaced(logger, call.RequestId, placement.IsQueued ? QueueNames.SharedWork : placement.WorkerId, placement.Warm);
        var endpoint = await context.GetSendEndpoint(placement.Address!);
        var work = new RunInvocation { Invocation = call, LedgerAddress = identity.Address, PlacedOn = placement.WorkerId, PlacedBy = ledger.Id };
        await endpoint.Send(work, send =>
        {
            send.RequestId = context.RequestId;
            send.ResponseAddress = context.ResponseAddress;
            send.FaultAddress = context.FaultAddress;
            EndpointConventions.StampCall(send, call.Async, call.Priority);
        }, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Placed {RequestId} on {Target} (warm: {Warm})")]
    private static partial void LogPlaced(ILogger logger, string requestId, string target, bool warm);
}
