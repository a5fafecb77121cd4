using Fleet.Storage;
using Fleet.Storage.State;
using Microsoft.Extensions.Options;

namespace Fleet.Core.State;

/// <summary>
/// The state functions keep, as facades read and set it from outside a call (Faasm's <c>/s/{user}/{key}</c>): whole
/// values by (namespace, key), the same values the functions of that namespace reach through their host calls.
/// A key that breaks the rules throws <see cref="ArgumentException"/>; a value past the limit
/// <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
internal sealed class StateValues(IFleetStore store, IOptions<StoreOptions> options)
{
    public Task<byte[]?> ReadAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        Guarded(() => store.State.ReadAsync(@namespace, key, cancellationToken));

    public Task WriteAsync(string @namespace, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            try
            {
                await store.State.WriteAsync(@namespace, key, value, options.Value.MaxStateValueBytes, cancellationToken);
                return true;
            }
            catch (StateValueTooLargeException tooLarge)
            {
                throw new ArgumentOutOfRangeException(tooLarge.Message, tooLarge);
            }
        });

    private static Task<T> Guarded<T>(Func<Task<T>> storeCall) => StoreCalls.GuardedAsync("the state store cannot be reached", storeCall);
}
