using System.Collections.Concurrent;
using System.Data.Common;
using Fleet.Contracts;
using Fleet.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Functions;

/// <summary>
/// Function definitions for the gateway: read through a short cache, written to the store. A deletion is published
/// so every gateway drops its cached copy and every worker retires the function's instances. Functions are kept by
/// (namespace, name): each facade passes its own namespace.
/// </summary>
internal sealed class FunctionCatalog(IFleetStore store, IPublishEndpoint publisher, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), (FunctionSpec Spec, DateTimeOffset Until)> _cache = new();
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.FunctionCacheSeconds);

    public async Task<FunctionSpec?> FindAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((@namespace, name), out var cached) && cached.Until > now)
        {
            return cached.Spec;
        }

        var spec = await Guarded(store.Functions.GetAsync(@namespace, name, cancellationToken));
        if (spec is null)
        {
            _cache.TryRemove((@namespace, name), out _);
            return null;
        }

        _cache[(@namespace, name)] = (spec, now + _ttl);
        return spec;
    }

    public async Task<bool> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await FindAsync(@namespace, name, cancellationToken) is not null;

    /// <summary>Stores the package (once per content) and the definition; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(FunctionSpec spec, byte[] package, CancellationToken cancellationToken)
    {
        await Guarded(PutAsync(spec, package, cancellationToken));
        return await Guarded(store.Functions.TryCreateAsync(spec, cancellationToken));
    }

    public async Task<FunctionSpec?> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var deleted = await Guarded(store.Functions.DeleteAsync(@namespace, name, cancellationToken));
        Forget(name);
        if (deleted is not null)
        {
            await publisher.Publish(new FunctionDeleted { Name = deleted.Name, Generation = deleted.Generation }, cancellationToken);
        }

        return deleted;
    }

    public Task<IReadOnlyList<string>> ListAsync(string @namespace, CancellationToken cancellationToken) =>
        Guarded(store.Functions.ListNamesAsync(@namespace, cancellationToken));

    /// <summary>Drops the cached copies of every function of that name (a deletion names no namespace).</summary>
    public void Forget(string name)
    {
        foreach (var key in _cache.Keys.Where(key => key.Name == name))
        {
            _cache.TryRemove(key, out _);
        }
    }

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
        await store.Blobs.PutAsync(spec.PackageHash, package, expiresAt: null, cancellationToken);
        return true;
    }
}
