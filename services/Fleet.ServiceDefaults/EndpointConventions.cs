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

    /// <summary>
    /// Stamps a message that carries a call: its QoS class as priority where the transport has priorities, and
    /// persistence only for async calls. A sync call that a broker restart loses fails at its caller anyway, so it
    /// is not written to disk on its way.
    /// </summary>
    public static void StampCall(SendContext send, bool async, int qosClass)
    {
        send.Durable = async;
        if (send.TryGetPayload(out RabbitMqSendContext? rabbit))
        {
            rabbit.BasicProperties.Priority = (byte)Math.Clamp(qosClass, 0, MaxPriority);
        }
    }

    /// <summary>Messages worth nothing after a broker restart (heartbeats, slot counts, sync answers) stay in memory.</summary>
    public static void Transient(SendContext send) => send.Durable = false;
}
