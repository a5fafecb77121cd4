using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;

namespace Fleet.Testing;

/// <summary>RabbitMQ in a container of <c>FLEET_TEST_RABBITMQ_IMAGE</c> (an official-like image with the management plugin).</summary>
internal sealed class ContainerRabbitMq : ITestRabbitMq, IAsyncDisposable
{
    public const string ImageVariable = "FLEET_TEST_RABBITMQ_IMAGE";
    private const string DefaultImage = "rabbitmq:3.13-management";
    private const int ManagementPort = 15672;

    private readonly RabbitMqContainer _container;

    private ContainerRabbitMq(int amqpPort, int managementPort)
    {
        Amqp = new Uri($"amqp://{ContainerSettings.User}:{ContainerSettings.Password}@127.0.0.1:{amqpPort}/");
        Management = new Uri($"http://127.0.0.1:{managementPort}/");
        _container = new RabbitMqBuilder(ContainerSettings.Image(ImageVariable, DefaultImage))
            .WithUsername(ContainerSettings.User)
            .WithPassword(ContainerSettings.Password)
            .WithPortBinding(amqpPort, RabbitMqBuilder.RabbitMqPort)
            .WithPortBinding(managementPort, ManagementPort)
            .WithLabel(ContainerSettings.Label, ContainerSettings.PortBaseLabel)
            .WithCreateParameterModifier(ContainerSettings.Create(stopSignal: "SIGTERM"))
            // Beside the builder's own wait for "Server startup complete": listeners that answer, users that sign in.
            .WithWaitStrategy(Wait.ForUnixContainer()
                .AddCustomWaitStrategy(new AmqpHandshake(Amqp))
                .AddCustomWaitStrategy(new ManagementOverview(Management, ContainerSettings.User, ContainerSettings.Password)))
            .Build();
    }

    public Uri Amqp { get; }

    public Uri Management { get; }

    /// <summary>Starts a container on test.sh's ports (FLEET_TEST_PORT_BASE + 672, + 674) or free ones.</summary>
    public static async Task<ContainerRabbitMq> StartAsync()
    {
        var rabbitMq = new ContainerRabbitMq(ContainerSettings.HostPort(672), ContainerSettings.HostPort(674));
        await ContainerSettings.StartAsync(rabbitMq._container, "RabbitMQ");
        return rabbitMq;
    }

    /// <summary>Stops the container (the broker shuts down) and starts it again: same ports, same disk, so durable queues and persistent messages come back.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await _container.StopAsync();
        await Task.Delay(down);
        await ContainerSettings.StartAsync(_container, "RabbitMQ");
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
