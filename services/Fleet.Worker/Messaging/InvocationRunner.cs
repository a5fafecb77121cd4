using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Runtimes;
using Microsoft.Extensions.Options;

namespace Fleet.Worker.Messaging;

/// <summary>
/// Runs one invocation in a warm or new instance and reports its slot free. An async outcome is durable in the store
/// when <see cref="RunAsync"/> returns; a sync one is for the caller to answer. A call the worker fails to run (an
/// error of its own, not the function's) ends as a failed outcome too: an async call is never left without one.
/// </summary>
internal sealed partial class InvocationRunner(
    CallHostCalls hostCalls,
    InstancePool pool, ExecutionSlots slots, HeldCalls held, RetiredFunctions retired, SlotReleaser releaser, CallResultWriter results,
    SliceResults sliceResults, JobCancellations cancellations, RunningCallMarker running, IBlobSource blobs,
    PayloadBlobs payloads, IOptions<StoreOptions> storeOptions, WorkerIdentity identity, FleetMetrics metrics, TimeProvider time, ILogger<InvocationRunner> logger)
{
    private const string JobCancelledError = "job cancelled";

    /// <param name="ledger">The placer to tell the slot is free; null when the placer learns it from the answer.</param>
    /// <param name="placedOn">The worker the placer chose; empty for the shared queue.</param>
    /// <param name="placedBy">The ledger that placed it (<see cref="RunInvocation.PlacedBy"/>).</param>
    public async Task<InvocationResult> RunAsync(
        InvokeFunction call, Uri? ledger, string placedOn, string placedBy, CancellationToken cancellationToken)
    {
        var placed = placedOn == identity.Id;
        InvocationResult result;
        using var job = call.Slices is { } slices ? cancellations.Enter(slices.JobId) : null;
        using (placed && placedBy.Length > 0 ? held.Take(placedBy) : default)
        using (var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, job?.Token ?? default))
        {
            try
            {
                result = call.Slices is not null && job is null
                    ? Outcome(call, InvocationStatus.Failed, JobCancelledError)
                    : await ExecuteAsync(call, placed && placedBy.Length > 0 ? placedBy : null, stopped.Token);
            }
            catch (OperationCanceledException) when (job?.Token.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                result = Outcome(call, InvocationStatus.Failed, JobCancelledError);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                LogRunFailed(logger, call.RequestId, error);
                result = Outcome(call, InvocationStatus.Failed, "the worker could not run the call");
            }
        }

        LogFinished(logger, call.RequestId, result.Status, result.IsWarmStart);
        metrics.CallEnded(call.Function.Key, result.Status, result.ResponseTime);

        // Reported before answering, so a client's next call rarely finds the slot still counted as busy.
        if (ledger is not null)
        {
            releaser.Release(ledger, call.Function.Key, placed);
        }

        if (call.Slices is { } ran)
        {
            await sliceResults.WriteAsync(ran, result, cancellationToken);
        }
        else if (call.Async)
        {
            await results.WriteAsync(call, result, cancellationToken);
        }

        return result;
    }

    private async Task<InvocationResult> ExecuteAsync(InvokeFunction call, string? heldBy, CancellationToken cancellationToken)
    {
        if (call.Deadline is { } deadline && deadline <= time.GetUtcNow())
        {
            return Outcome(call, InvocationStatus.Refused, "deadline can no longer be met");
        }

        if (retired.Contains(call.Function.Generation))
        {
            return Outcome(call, InvocationStatus.Failed, "function deleted");
        }

        var inputs = new List<CallInput>();
        foreach (var payload in call.Items ?? [call.Input])
        {
            if (await InputAsync(payload, call.Function.Convention, cancellationToken) is not { } input)
            {
                return Outcome(call, InvocationStatus.Failed, $"input blob {payload.BlobHash} is not in the store");
            }

            inputs.Add(input);
        }

        var request = new CallRequest
        {
            Items = inputs, IsBatch = call.Items is not null, ReturnOutput = call.CaptureOutput, Convention = call.Function.Convention,
            Entry = call.Entry,
        };
        Execution execution;
        using (var slot = await slots.TakeAsync(cancellationToken))
        {
            if (call.Recorded)
            {
                running.Mark(call.RequestId);
            }

            execution = await pool.InvokeAsync(call.Function, request with { HostCalls = hostCalls.For(call, slot, heldBy) }, cancellationToken);
        }

        // Until the handler started: waiting for a slot and memory, then starting an instance when none was warm.
        var initTime = Math.Max(0, (execution.StartedAt - call.ReceivedAt).TotalSeconds);
        double? coldStart = execution.IsWarmStart || execution.ColdStartSeconds <= 0 ? null : execution.ColdStartSeconds;
        metrics.CallStarted(call.Function.Key, initTime - (coldStart ?? 0), coldStart);
        var outcome = Outcome(call, execution.Status, execution.Error) with
        {
            Output = Output(call.Function.Convention, execution.Result, execution.ResultBytes),
            Items = call.Items is null ? null : [.. execution.Items.Select(item => Item(call.Function.Convention, item))],
            ReturnCode = execution.ReturnCode,
            Stdout = execution.Stdout,
            Stderr = execution.Stderr,
            IsWarmStart = execution.IsWarmStart,
            InitTime = initTime,
            Duration = execution.Duration,
        };

        // A slice's value is kept in the job store's row, read back by range: never spilled.
        return call.Slices is null ? await SpilledAsync(call, outcome, cancellationToken) : outcome;
    }

    /// <summary>
    /// The outcome with its large outputs put in the store (<see cref="PayloadBlobs"/>), expiring with the call's record.
    /// A store that does not answer is waited for, as for the outcome itself: the call has run and is not failed for it.
    /// </summary>
    private async Task<InvocationResult> SpilledAsync(InvokeFunction call, InvocationResult result, CancellationToken cancellationToken)
    {
        var expiresAt = call.ReceivedAt + storeOptions.Value.RetentionOf(call);
        return await StoreRetry.UntilDoneAsync(
            async token =>
            {
                var items = result.Items is null ? null : new ItemOutcome[result.Items.Count];
                for (var index = 0; index < items?.Length; index++)
                {
                    items[index] = result.Items![index] with { Output = await payloads.SpillAsync(result.Items[index].Output, expiresAt, token) };
                }

                return result with { Output = await payloads.SpillAsync(result.Output, expiresAt, token), Items = items ?? result.Items };
            },
            (error, delay) => LogSpillRetrying(logger, call.RequestId, delay.TotalSeconds, error),
            time,
            cancellationToken);
    }

    /// <summary>An input as the executor takes it; a blob is read from the store (packages and payloads share it). Null: no such blob.</summary>
    private async Task<CallInput?> InputAsync(Payload input, string convention, CancellationToken cancellationToken)
    {
        if (input.BlobHash is { } hash)
        {
            if (await blobs.GetAsync(hash, cancellationToken) is not { } bytes)
            {
                return null;
            }

            input = CallConventions.TakesBytes(convention) ? Payload.OfBytes(bytes) : Payload.OfJson(System.Text.Encoding.UTF8.GetString(bytes));
        }

        return input.Bytes is { } raw ? CallInput.FromBytes(raw) : CallInput.FromJson(input.Json ?? "");
    }

    private static Payload Output(string convention, string json, byte[] bytes) =>
        CallConventions.TakesBytes(convention) ? Payload.OfBytes(bytes) : Payload.OfJson(json);

    private static ItemOutcome Item(string convention, CallOutcome item) => new()
    {
        Status = item.Status,
        Output = Output(convention, item.Result, item.ResultBytes),
        ReturnCode = item.ReturnCode,
        Error = item.Error,
        Duration = item.Duration,
    };

    private InvocationResult Outcome(InvokeFunction call, InvocationStatus status, string error)
    {
        var now = time.GetUtcNow();
        return new InvocationResult
        {
            RequestId = call.RequestId,
            Status = status,
            Error = error,
            ResponseTime = (now - call.ReceivedAt).TotalSeconds,
            CompletedAt = now,
            WorkerId = identity.Id,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store: could not keep the output of {RequestId}; retrying in {Seconds} s")]
    private static partial void LogSpillRetrying(ILogger logger, string requestId, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not run {RequestId}")]
    private static partial void LogRunFailed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ran {RequestId}: {Status} (warm: {Warm})")]
    private static partial void LogFinished(ILogger logger, string requestId, InvocationStatus status, bool warm);
}
