using Fleet.Storage;
using Microsoft.Extensions.Options;

namespace Fleet.Core.Invocations;

/// <summary>
/// Once the host has started, sends again every recorded call that has no outcome (queued, or running when the process
/// died): calls accepted before a
/// crash of a process whose bus kept them only in memory. Does nothing unless <see cref="CoreOptions.RecordQueuedCalls"/>.
/// </summary>
internal sealed partial class QueuedCallRecovery(
    IFleetStore store, Invoker invoker, IOptions<CoreOptions> options, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<QueuedCallRecovery> logger) : BackgroundService
{
    private const int Page = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RecordQueuedCalls)
        {
            return;
        }

        // The bus starts with the host; calls sent before would go nowhere.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var now = time.GetUtcNow();
        var resent = 0;
        string? after = null;
        while (await StoreRetry.UntilDoneAsync(
                   token => store.Calls.ListUnfinishedAsync(now, after, Page, token), (error, delay) => LogRetrying(logger, delay.TotalSeconds, error), time,
                   stoppingToken) is { Count: > 0 } page)
        {
            await invoker.ResubmitAsync([.. page.Select(call => call.Request)], stoppingToken);
            resent += page.Count;
            after = page[^1].Request.RequestId;
        }

        if (resent > 0)
        {
            LogResent(logger, resent);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent again {Count} accepted calls that had no outcome")]
    private static partial void LogResent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the queued calls; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, double seconds, Exception exception);
}
