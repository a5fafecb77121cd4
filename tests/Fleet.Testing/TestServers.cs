using Npgsql;

namespace Fleet.Testing;

/// <summary>
/// The one place that decides which RabbitMQ and PostgreSQL the tests use, each on its own: the server test.sh
/// started when its variable is set (<c>FLEET_TEST_RABBITMQ</c>, <c>FLEET_TEST_POSTGRES</c>), else a container started
/// through Testcontainers on first use, once per test process, and removed when the process's tests end
/// (<see cref="TestServersCleanup"/>) or the process exits. A server that cannot be had fails the test, never skips it.
/// </summary>
public static class TestServers
{
    private static readonly Lazy<Task<ITestRabbitMq>> s_rabbitMq = new(async () =>
        NativeRabbitMq.FromEnvironment() ?? (ITestRabbitMq)Track(await ContainerRabbitMq.StartAsync()));

    private static readonly Lazy<Task<ITestPostgres>> s_postgres = new(async () =>
        NativePostgres.FromEnvironment() ?? (ITestPostgres)Track(await ContainerPostgres.StartAsync()));

    private static readonly List<IAsyncDisposable> s_containers = [];

    public static Task<ITestRabbitMq> RabbitMqAsync() => s_rabbitMq.Value;

    public static Task<ITestPostgres> PostgresAsync() => s_postgres.Value;

    /// <inheritdoc cref="ITestRabbitMq.RestartAsync"/>
    public static async Task RestartRabbitMqAsync(TimeSpan down) => await (await RabbitMqAsync()).RestartAsync(down);

    /// <inheritdoc cref="ITestPostgres.RestartAsync"/>
    public static async Task RestartPostgresAsync()
    {
        await (await PostgresAsync()).RestartAsync();

        // The tests' own pooled sessions ended too.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Removes the containers this process started; they are not started again.</summary>
    public static async Task RemoveContainersAsync()
    {
        IAsyncDisposable[] containers;
        lock (s_containers)
        {
            containers = [.. s_containers];
            s_containers.Clear();
        }

        foreach (var container in containers)
        {
            await container.DisposeAsync();
        }
    }

    private static T Track<T>(T container)
        where T : IAsyncDisposable
    {
        lock (s_containers)
        {
            if (s_containers.Count == 0)
            {
                // A run that ends without disposing its fixtures (a crash, Ctrl+C) still removes them; test.sh sweeps what a kill -9 leaves.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveContainersAsync().Wait(TimeSpan.FromSeconds(30));
            }

            s_containers.Add(container);
        }

        return container;
    }
}
