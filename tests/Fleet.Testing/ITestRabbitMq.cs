namespace Fleet.Testing;

/// <summary>The RabbitMQ the tests run against (its management plugin on), as <see cref="TestServers"/> chose it.</summary>
public interface ITestRabbitMq
{
    /// <summary>AMQP with an administrator's credentials, on the default vhost (<c>amqp://user:password@127.0.0.1:port/</c>).</summary>
    Uri Amqp { get; }

    /// <summary>The management API's base address; the AMQP credentials sign in.</summary>
    Uri Management { get; }

    /// <summary>
    /// Stops the broker and starts it again after <paramref name="down"/> on the same address, as a broker restart does:
    /// every connection is closed, queues come back from disk with their persistent messages only. Returns once it serves again.
    /// </summary>
    Task RestartAsync(TimeSpan down);
}
