namespace Fleet.Worker.Runtimes;

/// <summary>An instance could not be started or could not load its function; the message is the reason for the caller.</summary>
internal sealed class InstanceStartException : Exception
{
    public InstanceStartException()
    {
    }

    public InstanceStartException(string message)
        : base(message)
    {
    }

    public InstanceStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
