namespace Fleet.ServiceDefaults;

/// <summary>Queue names as they appear in the RabbitMQ management UI. One place for every name.</summary>
public static class QueueNames
{
    /// <summary>Invocation commands from gateways; every scheduler instance competes on it.</summary>
    public const string Scheduler = "fleet-scheduler";

    /// <summary>Work no worker had room for, and work handed back by stopped or dead workers.</summary>
    public const string SharedWork = "fleet-work";

    /// <summary>A worker's own queue: work placed on it. Unconsumed messages dead-letter to <see cref="SharedWork"/>.</summary>
    public static string Worker(string workerId) => $"fleet-worker-{workerId}";

    /// <summary>A worker's control queue: fleet-wide events such as function deletions.</summary>
    public static string WorkerControl(string workerId) => $"fleet-worker-{workerId}-control";

    /// <summary>A scheduler instance's own queue: heartbeats and released slots.</summary>
    public static string SchedulerInstance(string instanceId) => $"fleet-scheduler-{instanceId}";

    /// <summary>A gateway instance's own queue: fleet-wide events that invalidate its caches.</summary>
    public static string GatewayInstance(string instanceId) => $"fleet-gateway-{instanceId}";

    /// <summary>
    /// Where gateways send commands: the queue itself, declared by the sender too, so that commands sent while no
    /// scheduler runs wait for one instead of being dropped by an unbound exchange.
    /// </summary>
    public static readonly Uri SchedulerAddress = new($"queue:{Scheduler}");

    /// <summary>
    /// Where to send to a queue: its exchange. Declaring the queue itself from the sending side would clash with the
    /// arguments (expiry, dead-lettering, priorities) its receive endpoint gives it.
    /// </summary>
    public static Uri Address(string queue) => new($"exchange:{queue}");
}
