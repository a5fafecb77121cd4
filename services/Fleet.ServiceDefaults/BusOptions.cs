namespace Fleet.ServiceDefaults;

public sealed class BusOptions
{
    public const string SectionName = "Bus";

    /// <summary><c>rabbitmq</c> for the distributed fleet, <c>inmemory</c> for the standalone process.</summary>
    public string Transport { get; set; } = "rabbitmq";

    /// <summary>AMQP URL with credentials; from the environment (Bus__Url), never from a committed file.</summary>
    public string Url { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    public bool IsInMemory => string.Equals(Transport, "inmemory", StringComparison.OrdinalIgnoreCase);
}
