using System.Collections.Concurrent;
using System.Data.Common;
using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Functions;

/// <summary>
/// Function definitions for the gateway: read through a short cache, written to the store. A deletion is published
/// so every gateway drops its cached copy and every worker retires the function's instances.
/// </summary>
internal sealed class FunctionCatalog(IFleetStore store, IPublishEndpoint publisher, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (FunctionSpec Spec, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.FunctionCacheSeconds);

    public async Task<FunctionSpec?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && cached.Until > now)
        {
            return cached.Spec;
        }

        var spec = await Guarded(store.GetFunctionAsync(name, cancellationToken));
        if (spec is null)
        {
            _cache.TryRemove(name, out _);
            return null;
        }

        _cache[name] = (spec, now + _ttl);
        return spec;
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken) is not null;

    /// <summary>Stores the package (once per content) and the definition; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(FunctionSpec spec, byte[] package, CancellationToken cancellationToken)
    {
        await Guarded(PutAsync(spec, package, cancellationToken));
        return await Guarded(store.TryCreateFunctionAsync(spec, cancellationToken));
    }

    public async Task<FunctionSpec?> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await Guarded(store.DeleteFunctionAsync(name, cancellationToken));
        Forget(name);
        if (deleted is not null)
        {
            var announcement = new FunctionDeleted { Name = deleted.Name, Generation = deleted.Generation };
            try
            {
                await SendDeadline.RunAsync(deadline => publisher.Publish(announcement, deadline), cancellationToken);
            }
            catch (TimeoutException error)
            {
                throw new CoreUnavailableException("the deletion could not be announced", error);
            }
        }

        return deleted;
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Guarded(store.ListFunctionNamesAsync(cancellationToken));

    public void Forget(string name) => _cache.TryRemove(name, out _);

    private static async Task<T> Guarded<T>(Task<T> storeCall)
    {
        try
        {
            return await storeCall;
        }
        catch (DbException error)
        {
            throw new CoreUnavailableException("the function store cannot be reached", error);
        }
    }

    private async Task<bool> PutAsync(FunctionSpec spec, byte[] package, CancellationToken cancellationToken)
    {
        await store.PutPackageAsync(spec.PackageHash, package, cancellationToken);
        return true;
    }
}
