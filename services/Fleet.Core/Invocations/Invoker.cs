using System.Collections.Concurrent;
using System.Data.Common;
using Fleet.Contracts;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Core.Invocations;

/// <summary>
/// How every facade runs functions. A sync call is a request answered straight by the worker (or by the
/// scheduler when refused); when the gateway knows an idle warm instance of the function, it sends the call to that
/// worker itself, one broker hop fewer. Async calls are sent to the scheduler, and their outcomes polled from the
/// store; async calls that arrive together are sent in one message. Inputs and outputs above
/// <c>Store:InlinePayloadBytes</c> travel as blobs in the store (<see cref="PayloadBlobs"/>); facades see them as they were.
/// </summary>
internal sealed partial class Invoker : IAsyncDisposable
{
    private const string OutputGone = "the call's output is no longer in the store";

    private const string CallStoreUnreachable = "the call store cannot be reached";

    private readonly IClientFactory _clients;
    private readonly IRequestClient<InvokeFunction> _scheduler;
    private readonly ConcurrentDictionary<Uri, IRequestClient<RunInvocation>> _workers = new();
    private readonly WorkerLedger _ledger;
    private readonly ISendEndpointProvider _sender;
    private readonly IFleetStore _store;
    private readonly PayloadBlobs _payloads;
    private readonly Batcher<InvokeFunction> _submitter;
    private readonly CoreOptions _options;
    private readonly StoreOptions _storeOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<Invoker> _logger;

    /// <summary>Cancelled once the drain after SIGTERM has passed: sync calls still waiting are answered then, not held open.</summary>
    private readonly CancellationTokenSource _drained = new();

    public Invoker(
        IClientFactory clients, ISendEndpointProvider sender, IFleetStore store, PayloadBlobs payloads, WorkerLedger ledger,
        IOptions<CoreOptions> options, IOptions<StoreOptions> storeOptions, IOptions<ShutdownOptions> shutdown, IHostApplicationLifetime lifetime,
        TimeProvider time, ILogger<Invoker> logger)
    {
        _clients = clients;
        _scheduler = clients.CreateRequestClient<InvokeFunction>(QueueNames.SchedulerAddress);
        _ledger = ledger;
        _sender = sender;
        _store = store;
        _payloads = payloads;
        _submitter = new Batcher<InvokeFunction>(SubmitBatchAsync, maxBatch: 200, maxConcurrentFlushes: 4);
        _options = options.Value;
        _storeOptions = storeOptions.Value;
        _time = time;
        _logger = logger;
        lifetime.ApplicationStopping.Register(() => _drained.CancelAfter(shutdown.Value.Drain));
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Runs the call and returns its outcome; a refusal, a failure and a timeout are outcomes too.</summary>
    public async Task<CallOutcome> RunAsync(CallRequest request, CancellationToken cancellationToken)
    {
        var call = await MessageAsync(request, async: false, cancellationToken);
        var seconds = call.Function.TimeoutSeconds + _options.QueueWaitSeconds;
        var timeout = RequestTimeout.After(s: seconds);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _drained.Token);
        // The request's timeout counts from its send, which a broker restart can leave unconfirmed for good (see
        // SendDeadline): the whole call ends by the same time, its send included.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(waiting.Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        InvocationResult result;
        try
        {
            if (PlaceWarm(call) is { IsRefused: false } placement)
            {
                result = await RunOnWorkerAsync(call, placement, timeout, deadline.Token);
            }
            else
            {
                result = (await _scheduler.GetResponse<InvocationResult>(call, Stamp<InvokeFunction>(call), deadline.Token, timeout)).Message;
                NoteWarmInstance(call, result);
            }
        }
        catch (OperationCanceledException) when (_drained.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            result = Failed(call, "the gateway stopped before the call ended");
        }
        catch (Exception error) when (error is RequestTimeoutException || error is OperationCanceledException && !waiting.IsCancellationRequested)
        {
            result = Failed(call, "no answer in time");
        }
        catch (RequestFaultException fault)
        {
            LogFaulted(_logger, call.RequestId, fault);
            result = Failed(call, "the call could not be run");
        }

        if (result.Status is InvocationStatus.Failed or InvocationStatus.TimedOut)
        {
            LogFailed(_logger, call.RequestId, call.Function.Name, result.Status, result.Error);
        }

        return await OutcomeAsync(result, cancellationToken) with { ResponseTime = (Now - call.ReceivedAt).TotalSeconds };
    }

    /// <summary>
    /// Returns once the call is durable: held by the broker (publisher confirm), and first recorded in the store when
    /// <see cref="CoreOptions.RecordQueuedCalls"/> is on or the request asks (<see cref="CallRequest.Record"/>). An accepted call is never lost. Its outcome is stored when
    /// it completes; until then a poll finds nothing, as upstream's does.
    /// </summary>
    public async Task<string> SubmitAsync(CallRequest request, CancellationToken cancellationToken)
    {
        var call = await MessageAsync(request, async: true, cancellationToken) with { Recorded = _options.RecordQueuedCalls || request.Record };
        try
        {
            await _submitter.EnqueueAsync(call, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogSubmitFailed(_logger, call.RequestId, error);
            throw new CoreUnavailableException("the call could not be queued", error);
        }

        return call.RequestId;
    }

    /// <summary>
    /// Accepts an async call that cannot run (its API answers such calls with an id whose poll reads failed): its
    /// failed outcome is kept under <paramref name="id"/> as any call's, for <paramref name="retentionSeconds"/>.
    /// </summary>
    public async Task FailAsync(string id, string function, string error, int retentionSeconds, CancellationToken cancellationToken)
    {
        var now = Now;
        var outcome = new InvocationResult { RequestId = id, Status = InvocationStatus.Failed, Error = error, ReturnCode = 1, CompletedAt = now };
        await StoreCalls.GuardedAsync(CallStoreUnreachable, () => _store.Calls.CompleteAsync(
            [new CallRecord { Id = id, Function = function, CreatedAt = now, ExpiresAt = now.AddSeconds(retentionSeconds), Result = outcome }],
            cancellationToken));
    }

    /// <summary>
    /// An async call's state: completed with its outcome; queued or running when it was recorded (only with
    /// <see cref="CoreOptions.RecordQueuedCalls"/>); otherwise unknown until its outcome is stored.
    /// </summary>
    public async Task<CallStatus> GetAsync(string id, CancellationToken cancellationToken)
    {
        var stored = await StoreCalls.GuardedAsync(CallStoreUnreachable, () => _store.Calls.GetAsync(id, Now, cancellationToken));

        return stored.Outcome is { } record
            ? new CallStatus(CallState.Completed, await OutcomeAsync(record.Result, cancellationToken))
            : new CallStatus(
                stored.State switch
                {
                    Storage.Calls.CallState.Queued => CallState.Queued,
                    Storage.Calls.CallState.Running => CallState.Running,
                    _ => CallState.Unknown,
                },
                null);
    }

    public async ValueTask DisposeAsync()
    {
        await _submitter.DisposeAsync();
        _drained.Dispose();
    }

    /// <summary>The call's message, its large inputs put in the store as blobs that expire with its record.</summary>
    private async Task<InvokeFunction> MessageAsync(CallRequest request, bool async, CancellationToken cancellationToken)
    {
        var call = new InvokeFunction
        {
            RequestId = request.Id ?? CallIds.New(),
            Function = request.Function,
            Input = request.Input,
            Items = request.Items,
            CaptureOutput = request.CaptureOutput,
            Priority = CallPriority.Clamp(request.Priority),
            RetentionSeconds = request.RetentionSeconds,
            ParentCallId = request.ParentCallId,
            Entry = request.Entry,
            Deadline = request.Deadline,
            Async = async,
            ReceivedAt = request.ReceivedAt,
        };
        var expiresAt = call.ReceivedAt + _storeOptions.RetentionOf(call);
        try
        {
            return call with
            {
                Input = await _payloads.SpillAsync(call.Input, expiresAt, cancellationToken),
                Items = await _payloads.SpillAsync(call.Items, expiresAt, cancellationToken),
            };
        }
        catch (DbException error)
        {
            throw new CoreUnavailableException("the call's input could not be stored", error);
        }
    }

    /// <summary>The outcome as facades read it: outputs held as blobs read back, a blob gone with its record failing the call.</summary>
    private async Task<CallOutcome> OutcomeAsync(InvocationResult result, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = CallOutcome.From(result);
            if (await _payloads.ResolveAsync(result.Output, cancellationToken) is not { } output)
            {
                return outcome with { Status = InvocationStatus.Failed, Output = Payload.Empty, Error = OutputGone };
            }

            var items = result.Items is null ? null : new ItemOutcome[result.Items.Count];
            for (var index = 0; index < items?.Length; index++)
            {
                var item = result.Items![index];
                items[index] = await _payloads.ResolveAsync(item.Output, cancellationToken) is { } itemOutput
                    ? item with { Output = itemOutput }
                    : item with { Status = InvocationStatus.Failed, Output = Payload.Empty, Error = OutputGone };
            }

            return outcome with { Output = output, Items = items ?? outcome.Items };
        }
        catch (DbException error)
        {
            throw new CoreUnavailableException("the call's output cannot be read from the store", error);
        }
    }

    private static RequestPipeConfiguratorCallback<T> Stamp<T>(InvokeFunction call)
        where T : class =>
        request => request.UseExecute(send => EndpointConventions.StampCall(send, call.Async, call.Priority));

    private static InvocationResult Failed(InvokeFunction call, string error) =>
        new() { RequestId = call.RequestId, Status = InvocationStatus.Failed, Error = error };

    /// <summary>An idle warm instance this gateway knows of, unless turned off or the deadline has passed already.</summary>
    private PlacementDecision PlaceWarm(InvokeFunction call) =>
        _options.DirectWarmCalls && !(call.Deadline <= Now) ? _ledger.PlaceWarm(call.Function) : PlacementDecision.Refused;

    /// <summary>
    /// A call the scheduler placed succeeded, so its worker holds an idle warm instance of the function now. Counted at
    /// once: the caller's next call, sent as soon as this answer arrives, goes straight to that instance instead of
    /// racing the worker's release message to the scheduler (and finding a cold worker when it loses).
    /// </summary>
    private void NoteWarmInstance(InvokeFunction call, InvocationResult result)
    {
        if (_options.DirectWarmCalls && result.Status == InvocationStatus.Succeeded && result.WorkerId is { Length: > 0 } worker)
        {
            _ledger.AddIdleWarm(worker, call.Function.Key, 1);
        }
    }

    /// <summary>The worker answers this gateway, which then counts the slot free again: no release message.</summary>
    private async Task<InvocationResult> RunOnWorkerAsync(
        InvokeFunction call, PlacementDecision placement, RequestTimeout timeout, CancellationToken cancellationToken)
    {
        LogPlacedDirectly(_logger, call.RequestId, placement.WorkerId);
        var worker = _workers.GetOrAdd(placement.Address!, address => _clients.CreateRequestClient<RunInvocation>(address));
        var work = new RunInvocation { Invocation = call, LedgerAddress = null, PlacedOn = placement.WorkerId, PlacedBy = _ledger.Id };
        try
        {
            return (await worker.GetResponse<InvocationResult>(work, Stamp<RunInvocation>(call), cancellationToken, timeout)).Message;
        }
        finally
        {
            _ledger.Release(placement.WorkerId, call.Function.Key);
        }
    }

    /// <summary>Sends again calls recorded as queued (<see cref="CoreOptions.RecordQueuedCalls"/>), as they were.</summary>
    public Task ResubmitAsync(IReadOnlyList<InvokeFunction> calls, CancellationToken cancellationToken) => SendBatchAsync(calls, cancellationToken);

    private async Task SubmitBatchAsync(IReadOnlyList<InvokeFunction> batch, CancellationToken cancellationToken)
    {
        if (batch.Where(call => call.Recorded).ToList() is { Count: > 0 } recorded)
        {
            await _store.Calls.CreateQueuedAsync([.. recorded.Select(call => new QueuedCall { Request = call, ExpiresAt = call.ReceivedAt + _storeOptions.RetentionOf(call) })], cancellationToken);
        }

        await SendBatchAsync(batch, cancellationToken);
    }

    private async Task SendBatchAsync(IReadOnlyList<InvokeFunction> batch, CancellationToken cancellationToken)
    {
        var calls = batch.ToArray();
        var endpoint = await _sender.GetSendEndpoint(QueueNames.SchedulerAddress);
        await SendDeadline.RunAsync(
            deadline => endpoint.Send(new InvokeFunctions { Calls = calls },
                send => EndpointConventions.StampCall(send, async: true, calls.Max(call => call.Priority)), deadline),
            cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not queue {RequestId}")]
    private static partial void LogSubmitFailed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Placed {RequestId} on warm {WorkerId} directly")]
    private static partial void LogPlacedDirectly(ILogger logger, string requestId, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {RequestId} of {Function} ended {Status}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string requestId, string function, InvocationStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Running {RequestId} faulted")]
    private static partial void LogFaulted(ILogger logger, string requestId, Exception exception);
}
