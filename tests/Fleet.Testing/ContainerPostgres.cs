using DotNet.Testcontainers.Configurations;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Fleet.Testing;

/// <summary>PostgreSQL in a container of <c>FLEET_TEST_POSTGRES_IMAGE</c> (an official-like image).</summary>
internal sealed class ContainerPostgres : ITestPostgres, IAsyncDisposable
{
    public const string ImageVariable = "FLEET_TEST_POSTGRES_IMAGE";
    private const string DefaultImage = "postgres:15";
    private const string Database = "fleet";

    private readonly PostgreSqlContainer _container;

    private ContainerPostgres(int port)
    {
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = ContainerSettings.User, Password = ContainerSettings.Password, Database = Database,
        }.ConnectionString;
        _container = new PostgreSqlBuilder(ContainerSettings.Image(ImageVariable, DefaultImage))
            .WithUsername(ContainerSettings.User)
            .WithPassword(ContainerSettings.Password)
            .WithDatabase(Database)
            // The builder's command is its server options alone, which only the official entrypoint turns into a postgres
            // command line; named in full, any image that runs its command (the fleet-local stand-in too) starts the same server.
            .WithCommand(new OverwriteEnumerable<string>(["postgres", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]))
            .WithPortBinding(port, PostgreSqlBuilder.PostgreSqlPort)
            .WithLabel(ContainerSettings.Label, ContainerSettings.PortBaseLabel)
            // SIGINT is PostgreSQL's fast shutdown (sessions ended, like pg_ctl -m fast); SIGTERM would wait for every pooled session.
            .WithCreateParameterModifier(ContainerSettings.Create(stopSignal: "SIGINT"))
            // In place of the builder's pg_isready in the container: a query from here, through the published port.
            .WithWaitStrategy(DotNet.Testcontainers.Builders.Wait.ForUnixContainer().AddCustomWaitStrategy(new PostgresQuery(ConnectionString)))
            .Build();
    }

    public string ConnectionString { get; }

    /// <summary>Starts a container on test.sh's port (FLEET_TEST_PORT_BASE + 432) or a free one.</summary>
    public static async Task<ContainerPostgres> StartAsync()
    {
        var postgres = new ContainerPostgres(ContainerSettings.HostPort(432));
        await ContainerSettings.StartAsync(postgres._container, "PostgreSQL");
        return postgres;
    }

    /// <summary>Stops the container (a fast shutdown) and starts it again: same port, same disk.</summary>
    public async Task RestartAsync()
    {
        await _container.StopAsync();
        await ContainerSettings.StartAsync(_container, "PostgreSQL");
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
