using Fleet.Contracts;
using Fleet.Placement;
using Fleet.Scheduler.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage.Calls;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

/// <summary>
/// Places a batch of async calls one by one, as <see cref="InvokeFunctionConsumer"/> would, and forwards them grouped:
/// one message per worker and QoS class, and the shared queue's share split evenly among the live workers, in messages
/// that any idle worker can take. Refusals are stored as failed outcomes. Acknowledged once every call is forwarded or stored.
/// </summary>
internal sealed class InvokeFunctionsConsumer(
    WorkerLedger ledger, CallResultWriter results, SchedulerIdentity identity, FleetMetrics metrics, TimeProvider time, ILogger<InvokeFunctionsConsumer> logger)
    : IConsumer<InvokeFunctions>
{
    /// <summary>
    /// Calls per shared-queue message, at most: each message costs the broker a disk write, yet a worker that takes a
    /// large one holds calls another worker could run.
    /// </summary>
    private const int MaxSharedChunk = 16;

    public async Task Consume(ConsumeContext<InvokeFunctions> context)
    {
        var now = time.GetUtcNow();
        var pending = new List<Task>();
        var groups = new Dictionary<(Uri Address, string WorkerId, int Qos), List<InvokeFunction>>();
        foreach (var call in context.Message.Calls)
        {
            var placement = Admission.Admit(ledger, call, now, out var reason);
            if (placement.IsRefused)
            {
                Admission.LogRefused(logger, call.RequestId, reason);
                pending.Add(results.WriteAsync(call, Admission.Refusal(call, now, reason, metrics), context.CancellationToken));
                continue;
            }

            var key = (placement.Address!, placement.WorkerId, call.Priority);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }

            group.Add(call);
        }

        foreach (var ((address, workerId, qos), calls) in groups)
        {
            var endpoint = await context.GetSendEndpoint(address);
            foreach (var chunk in workerId.Length == 0 ? calls.Chunk(SharedChunkSize(calls.Count)) : [calls.ToArray()])
            {
                var work = new RunInvocations { Calls = chunk, LedgerAddress = identity.Address, PlacedOn = workerId, PlacedBy = ledger.Id };
                pending.Add(endpoint.Send(work, send => EndpointConventions.StampCall(send, async: true, qos), context.CancellationToken));
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>An even share of the shared calls for each live worker, in messages of at most <see cref="MaxSharedChunk"/>.</summary>
    private int SharedChunkSize(int calls)
    {
        var workers = Math.Max(1, ledger.LiveWorkerCount());
        return Math.Clamp((calls + workers - 1) / workers, 1, MaxSharedChunk);
    }
}
