using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Invocations;

/// <summary>
/// The facade-neutral invocation pipeline: sync calls are requests answered straight by the worker (or by the
/// scheduler when refused); async calls are sent, and their outcomes polled from the store. Async calls that arrive
/// together are sent in one message.
/// </summary>
internal sealed class Invoker : IAsyncDisposable
{
    private readonly IRequestClient<InvokeFunction> _scheduler;
    private readonly ISendEndpointProvider _sender;
    private readonly IFleetStore _store;
    private readonly Batcher<InvokeFunction> _submitter;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;

    public Invoker(
        IClientFactory clients, ISendEndpointProvider sender, IFleetStore store,
        IOptions<GatewayOptions> options, TimeProvider time)
    {
        _scheduler = clients.CreateRequestClient<InvokeFunction>(QueueNames.SchedulerAddress);
        _sender = sender;
        _store = store;
        _submitter = new Batcher<InvokeFunction>(SubmitBatchAsync, maxBatch: 200, maxConcurrentFlushes: 4);
        _options = options.Value;
        _time = time;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public async Task<InvocationResult> RunAsync(InvokeFunction call, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(call.Function.TimeoutSeconds + _options.QueueWaitSeconds);
        InvocationResult result;
        try
        {
            var response = await _scheduler.GetResponse<InvocationResult>(
                call, request => request.UseExecute(send => EndpointConventions.StampCall(send, call.Async, call.QosClass)),
                cancellationToken, RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
            result = response.Message;
        }
        catch (RequestTimeoutException)
        {
            result = new InvocationResult { RequestId = call.RequestId, Status = InvocationStatus.Failed, Error = "no answer in time" };
        }

        return result with { ResponseTime = (Now - call.ReceivedAt).TotalSeconds };
    }

    /// <summary>
    /// Returns once the broker holds the call durably (publisher confirm): an accepted call is never lost. Its outcome
    /// is stored when it completes; until then a poll finds nothing, as upstream's does.
    /// </summary>
    public Task SubmitAsync(InvokeFunction call, CancellationToken cancellationToken) => _submitter.EnqueueAsync(call, cancellationToken);

    /// <summary>The stored outcome, or null while queued, unknown or expired.</summary>
    public async Task<InvocationResult?> PollAsync(string id, CancellationToken cancellationToken) =>
        (await _store.GetCallAsync(id, Now, cancellationToken))?.Result;

    public ValueTask DisposeAsync() => _submitter.DisposeAsync();

    private async Task SubmitBatchAsync(IReadOnlyList<InvokeFunction> batch, CancellationToken cancellationToken)
    {
        var calls = batch.ToArray();
        var endpoint = await _sender.GetSendEndpoint(QueueNames.SchedulerAddress);
        await endpoint.Send(new InvokeFunctions { Calls = calls },
            send => EndpointConventions.StampCall(send, async: true, calls.Max(call => call.QosClass)), cancellationToken);
    }
}
