using Fleet.Storage;
using Fleet.Worker.Runtimes;

namespace Fleet.Worker;

/// <summary>Blobs from the store. A store that does not answer for a while is waited for: the call needing the blob is not failed for it.</summary>
internal sealed partial class StoreBlobSource(IFleetStore store, TimeProvider time, ILogger<StoreBlobSource> logger) : IBlobSource
{
    public Task<byte[]?> GetAsync(string hash, CancellationToken cancellationToken) =>
        StoreRetry.UntilDoneAsync(
            token => store.Blobs.GetAsync(hash, time.GetUtcNow(), token),
            (error, delay) => LogRetrying(logger, hash, delay.TotalSeconds, error),
            time,
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store: could not read blob {Hash}; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, string hash, double seconds, Exception exception);
}
