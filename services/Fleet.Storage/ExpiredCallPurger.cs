using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

/// <summary>
/// Deletes expired async outcomes from the store every <see cref="StoreOptions.PurgeIntervalSeconds"/>: reads already
/// skip them, this keeps the table from growing. A failed pass is logged and the next one tries again; several
/// instances purging at once only delete the same rows.
/// </summary>
public sealed partial class ExpiredCallPurger(
    IFleetStore store, IOptions<StoreOptions> options, TimeProvider time, ILogger<ExpiredCallPurger> logger) : BackgroundService
{
    /// <summary>One pass: how many outcomes it deleted (0 when the store did not answer).</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await store.PurgeExpiredCallsAsync(time.GetUtcNow(), cancellationToken);
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

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Store: purging expired calls failed; the next pass tries again")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
