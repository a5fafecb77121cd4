using Fleet.Storage;
using Fleet.Worker.Runtimes;

namespace Fleet.Worker;

/// <summary>Packages from the store. A store that does not answer for a while is waited for: the call needing the package is not failed for it.</summary>
internal sealed partial class StorePackageSource(IFleetStore store, TimeProvider time, ILogger<StorePackageSource> logger) : IPackageSource
{
    public Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken) =>
        StoreRetry.UntilDoneAsync(
            token => store.Blobs.GetAsync(hash, time.GetUtcNow(), token),
            (error, delay) => LogRetrying(logger, hash, delay.TotalSeconds, error),
            time,
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store: could not read package {Hash}; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, string hash, double seconds, Exception exception);
}
