using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

/// <summary>
/// Every <see cref="StoreOptions.PurgeIntervalSeconds"/>, deletes expired call records, facades' records and jobs with
/// their slices (reads already skip them; this keeps the tables from growing) and the blobs no function uses that have
/// expired, or that have no expiry (packages) and were last put more than <see cref="PackageGrace"/> ago. A failed
/// pass is logged and the next one tries again; several instances purging at once only delete the same rows.
/// </summary>
public sealed partial class StorePurger(
    IFleetStore store, IOptions<StoreOptions> options, TimeProvider time, ILogger<StorePurger> logger) : BackgroundService
{
    /// <summary>How long an unused package is kept after its last put: far longer than a create takes.</summary>
    public static readonly TimeSpan PackageGrace = TimeSpan.FromMinutes(10);

    /// <summary>One pass: how many call records, blobs, records and jobs it deleted (0 when the store did not answer).</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            return await store.Calls.PurgeExpiredAsync(now, cancellationToken)
                   + await store.Blobs.PurgeAsync(now, now - PackageGrace, cancellationToken)
                   + await store.Records.PurgeAsync(now, cancellationToken)
                   + await store.Jobs.PurgeAsync(now, cancellationToken);
        }
        catch (Exception error) when (error is DbException or InvalidOperationException or TimeoutException)
        {
            LogPurgeFailed(logger, error);
            return 0;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PurgeIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PurgeOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Store: purging expired calls, records, jobs and unused blobs failed; the next pass tries again")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
