using MassTransit;

namespace Fleet.ServiceDefaults;

/// <summary>RabbitMQ arguments Fleet's queues share; the in-memory transport ignores them.</summary>
public static class EndpointConventions
{
    /// <summary>Priorities 0..2 map from QoS classes (low, high performance, high availability).</summary>
    public const byte MaxPriority = 2;

    /// <summary>A queue of one service instance: deleted by the broker a minute after its owner is gone.</summary>
    public static void InstanceQueue(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQueueArgument("x-expires", 60_000);
        }
    }

    /// <summary>A work queue: its messages carry priorities.</summary>
    public static void WorkQueue(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.EnablePriority(MaxPriority);
        }
    }

    /// <summary>
    /// A worker's own queue: what waits there longer than <paramref name="handBackAfter"/> (its worker is busy, stopped
    /// or dead — unacknowledged messages of a dead worker are requeued here first) moves to the shared work queue.
    /// </summary>
    public static void WorkerQueue(IReceiveEndpointConfigurator endpoint, TimeSpan handBackAfter)
    {
        WorkQueue(endpoint);
        InstanceQueue(endpoint);
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQueueArgument("x-message-ttl", (int)handBackAfter.TotalMilliseconds);
            rabbit.SetQueueArgument("x-dead-letter-exchange", QueueNames.SharedWork);
        }
    }

    /// <summary>Sets a message's priority where the transport has priorities.</summary>
    public static void Prioritise(SendContext send, int qosClass)
    {
        var priority = (byte)Math.Clamp(qosClass, 0, MaxPriority);
        if (send.TryGetPayload(out RabbitMqSendContext? rabbit))
        {
            rabbit.BasicProperties.Priority = priority;
        }
    }
}
