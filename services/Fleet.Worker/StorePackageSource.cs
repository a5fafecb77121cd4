using Fleet.Storage;
using Fleet.Worker.Runtimes;

namespace Fleet.Worker;

internal sealed class StorePackageSource(IFleetStore store) : IPackageSource
{
    public Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken) =>
        store.GetPackageAsync(hash, cancellationToken);
}
