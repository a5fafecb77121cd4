using System.Data.Common;

namespace Fleet.Storage;

/// <summary>
/// The rule for a store that stops answering for a while (a restart, a failover, a dropped connection): work that
/// cannot be redone waits for it, retrying with backoff from 100 ms to 5 s, instead of failing. Only the caller's
/// token ends the wait; any other error reaches the caller at once.
/// </summary>
public static class StoreRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private static bool IsTransient(Exception error) => error is DbException { IsTransient: true } or TimeoutException;

    /// <param name="retrying">Told of each transient failure and the delay before the next try.</param>
    public static async Task<T> UntilDoneAsync<T>(
        Func<CancellationToken, Task<T>> operation, Action<Exception, TimeSpan> retrying, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var delay = FirstDelay; ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks)))
        {
            try
            {
                return await operation(cancellationToken);
            }
            catch (Exception error) when (IsTransient(error) && !cancellationToken.IsCancellationRequested)
            {
                retrying(error, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
