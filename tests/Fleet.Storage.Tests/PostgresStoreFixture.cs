using Fleet.Storage.Postgres;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fleet.Storage.Tests;

/// <summary>
/// The tests' PostgreSQL (<see cref="TestServers"/>: test.sh's, or a container). Every database this fixture hands out
/// is a new schema (<c>Search Path</c>), dropped at the end. Without a server every test fails: it never skips.
/// </summary>
public sealed class PostgresStoreFixture : IStoreFixture, IAsyncLifetime
{
    private readonly List<string> _schemas = [];
    private readonly List<IFleetStore> _stores = [];
    private string _connectionString = "";
    private NpgsqlDataSource? _admin;
    private IFleetStore? _store;

    public IFleetStore Store => _store ?? throw new InvalidOperationException("The fixture is not initialised.");

    public string ConnectionString { get; private set; } = "";

    public string Provider => SchemaMigrator.Postgres;

    public int ScriptCount => SchemaMigrator.Scripts(SchemaMigrator.Postgres).Count;

    private NpgsqlDataSource Admin => _admin ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync()
    {
        _connectionString = (await TestServers.PostgresAsync()).ConnectionString;
        _admin = NpgsqlDataSource.Create(_connectionString);
        ConnectionString = await CreateEmptyDatabaseAsync(TestContext.Current.CancellationToken);
        _store = OpenStore(ConnectionString);
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken)
    {
        // Identifiers cannot be parameters; this one is made here from a Guid, never from input.
        var schema = $"fleet_test_{Guid.NewGuid():N}";
        await using (var command = Admin.CreateCommand($"CREATE SCHEMA {schema}"))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        _schemas.Add(schema);
        return new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = schema }.ToString();
    }

    public IFleetStore OpenStore(string connectionString)
    {
        var store = new PostgresFleetStore(connectionString, TimeProvider.System, NullLogger<PostgresFleetStore>.Instance);
        _stores.Add(store);
        return store;
    }

    public Task MigrateToAsync(string connectionString, int lastVersion, CancellationToken cancellationToken) =>
        ((PostgresFleetStore)OpenStore(connectionString)).MigrateAsync(lastVersion, cancellationToken);

    public async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends every session named <paramref name="applicationName"/>, as a database restart would; returns how many there were.</summary>
    public async Task<int> EndSessionsAsync(string applicationName, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name";

        await using var command = Admin.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("name", applicationName));
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT version FROM schema_migrations ORDER BY version";

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(Sql);
        return await command.ReadColumnAsync<int>(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await ((IAsyncDisposable)store).DisposeAsync();
        }

        if (_admin is null)
        {
            return;
        }

        foreach (var schema in _schemas)
        {
            await using var command = _admin.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await command.ExecuteNonQueryAsync();
        }

        await _admin.DisposeAsync();
    }
}
