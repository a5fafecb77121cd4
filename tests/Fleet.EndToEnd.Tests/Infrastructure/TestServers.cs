namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>The real RabbitMQ and PostgreSQL the test command started. Missing ones fail the tests, never skip them.</summary>
internal static class TestServers
{
    public static Uri RabbitMq => new(Required("FLEET_TEST_RABBITMQ"));

    public static Uri RabbitMqManagement => new(Required("FLEET_TEST_RABBITMQ_MANAGEMENT"));

    public static string Postgres => Required("FLEET_TEST_POSTGRES");

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests with ./test.sh, which starts the servers they need.");
}
