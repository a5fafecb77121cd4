namespace Fleet.Storage.State;

/// <summary>A write would make a state value larger than the limit; nothing was changed.</summary>
public sealed class StateValueTooLargeException : Exception
{
    public StateValueTooLargeException()
    {
    }

    public StateValueTooLargeException(string message)
        : base(message)
    {
    }

    public StateValueTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StateValueTooLargeException(string key, long maxBytes)
        : base($"state value {key} would be larger than {maxBytes} bytes")
    {
    }
}
