namespace Fleet.Contracts;

public enum InvocationStatus
{
    Succeeded = 0,

    /// <summary>The handler raised, returned something unserialisable, or its instance died.</summary>
    Failed = 1,

    /// <summary>The call ran past its function's timeout and was stopped.</summary>
    TimedOut = 2,

    /// <summary>Not run: no capacity and no queue room, or its deadline could not be met.</summary>
    Refused = 3,
}
