using Microsoft.Data.Sqlite;
using Fleet.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Storage.Tests;

/// <summary>SQLite files under a temp directory of this fixture's own (in a sub-folder that does not exist yet).</summary>
public sealed class SqliteStoreFixture : IStoreFixture, IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"fleet-store-tests-{Guid.NewGuid():N}");
    private readonly List<IFleetStore> _stores = [];
    private IFleetStore? _store;

    public IFleetStore Store => _store ?? throw new InvalidOperationException("The fixture is not initialised.");

    public string ConnectionString { get; private set; } = "";

    public string Provider => SchemaMigrator.Sqlite;

    public int ScriptCount => SchemaMigrator.Scripts(SchemaMigrator.Sqlite).Count;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await CreateEmptyDatabaseAsync(TestContext.Current.CancellationToken);
        _store = OpenStore(ConnectionString);
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_root, Guid.NewGuid().ToString("N"), "data", "fleet.db");
        return Task.FromResult(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
    }

    public IFleetStore OpenStore(string connectionString)
    {
        var store = new SqliteFleetStore(connectionString, TimeProvider.System, NullLogger<SqliteFleetStore>.Instance);
        _stores.Add(store);
        return store;
    }

    public Task MigrateToAsync(string connectionString, int lastVersion, CancellationToken cancellationToken) =>
        ((SqliteFleetStore)OpenStore(connectionString)).MigrateAsync(lastVersion, cancellationToken);

    public async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT version FROM schema_migrations ORDER BY version";

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        return await command.ReadColumnAsync<int>(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _stores.Clear();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
