using System.Data.Common;

namespace Fleet.Core;

/// <summary>The one rule for the core's store calls: a store that cannot be reached is a <see cref="CoreUnavailableException"/>.</summary>
internal static class StoreCalls
{
    /// <param name="unreachable">What the failure says, e.g. "the call store cannot be reached".</param>
    public static async Task<T> GuardedAsync<T>(string unreachable, Func<Task<T>> storeCall)
    {
        try
        {
            return await storeCall();
        }
        catch (DbException error)
        {
            throw new CoreUnavailableException(unreachable, error);
        }
    }

    public static Task GuardedAsync(string unreachable, Func<Task> storeCall) =>
        GuardedAsync(unreachable, async () =>
        {
            await storeCall();
            return true;
        });
}
