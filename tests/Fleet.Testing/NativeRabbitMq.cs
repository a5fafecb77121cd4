namespace Fleet.Testing;

/// <summary>The RabbitMQ test.sh started (infra/local): restarted by its node name with rabbitmqctl.</summary>
internal sealed class NativeRabbitMq(Uri amqp, Uri management) : ITestRabbitMq
{
    public const string Variable = "FLEET_TEST_RABBITMQ";
    private const string ManagementVariable = "FLEET_TEST_RABBITMQ_MANAGEMENT";
    private const string NodeVariable = "FLEET_TEST_RABBITMQ_NODE";

    public Uri Amqp => amqp;

    public Uri Management => management;

    /// <summary>The server named by <c>FLEET_TEST_RABBITMQ</c> (and its management API), or null when it is not set.</summary>
    public static NativeRabbitMq? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } amqp
            ? new NativeRabbitMq(new Uri(amqp), new Uri(Command.Required(ManagementVariable)))
            : null;

    public async Task RestartAsync(TimeSpan down)
    {
        var node = Command.Required(NodeVariable);
        await Command.RunAsync("rabbitmqctl", "-n", node, "-q", "stop_app");
        await Task.Delay(down);
        await Command.RunAsync("rabbitmqctl", "-n", node, "-q", "start_app");
        await Command.RunAsync("rabbitmqctl", "-n", node, "-q", "await_startup");
    }
}
