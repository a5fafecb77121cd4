namespace Fleet.Storage.Calls;

/// <summary>
/// The expected-state rule both providers apply (Hangfire's): a change names the states it may leave, and a row in
/// any other state is left as it is (0 rows: someone else got there first). States are stored as these names.
/// </summary>
internal static class CallTransitions
{
    /// <summary>An outcome is stored over these (or where there is no row); over a completed call it is refused: the first wins.</summary>
    public static readonly string[] Completable = [Name(CallState.Queued), Name(CallState.Running)];

    /// <summary>A call is marked running only from queued: never back from completed, never twice.</summary>
    public static readonly string[] Startable = [Name(CallState.Queued)];

    public static string Name(CallState state) => state switch
    {
        CallState.Queued => "queued",
        CallState.Running => "running",
        CallState.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown is never stored."),
    };

    public static CallState Parse(string name) => name switch
    {
        "queued" => CallState.Queued,
        "running" => CallState.Running,
        "completed" => CallState.Completed,
        _ => throw new InvalidOperationException($"A stored call has the unknown state '{name}'."),
    };
}
