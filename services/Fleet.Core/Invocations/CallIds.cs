namespace Fleet.Core.Invocations;

/// <summary>Ids for calls whose facade brings none: opaque, unique across processes and restarts.</summary>
internal static class CallIds
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
