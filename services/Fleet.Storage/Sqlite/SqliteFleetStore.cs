using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using Fleet.Storage.Functions;
using Fleet.Storage.Jobs;
using Fleet.Storage.Records;
using Fleet.Storage.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Sqlite;

/// <summary>
/// The standalone process's store: one SQLite file in WAL mode, pooled connections (<see cref="SqliteDatabase"/>), shared
/// by one store per aggregate.
/// </summary>
internal sealed class SqliteFleetStore : IFleetStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteFleetStore> _logger;

    public SqliteFleetStore(string connectionString, TimeProvider timeProvider, ILogger<SqliteFleetStore> logger)
    {
        _database = new SqliteDatabase(connectionString);
        _timeProvider = timeProvider;
        _logger = logger;
        CreateParentDirectory(connectionString);
        Functions = new SqliteFunctionStore(_database);
        Blobs = new SqliteBlobStore(_database, timeProvider, logger);
        Calls = new SqliteCallStore(_database, logger);
        State = new SqliteStateStore(_database);
        Records = new SqliteRecordStore(_database, logger);
        Jobs = new SqliteJobStore(_database, logger);
    }

    public IFunctionStore Functions { get; }

    public IBlobStore Blobs { get; }

    public ICallStore Calls { get; }

    public IStateStore State { get; }

    public IRecordStore Records { get; }

    public IJobStore Jobs { get; }

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the pending migrations up to <paramref name="lastVersion"/> (a test makes an earlier schema with it).</summary>
    internal async Task MigrateAsync(int lastVersion, CancellationToken cancellationToken)
    {
        const string WalSql = "PRAGMA journal_mode = WAL";
        const string BootstrapSql = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER NOT NULL PRIMARY KEY,
                applied_at  INTEGER NOT NULL
            )
            """;

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using (var wal = new SqliteCommand(WalSql, connection))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        // deferred: false is BEGIN IMMEDIATE: the write lock is taken before the versions are read.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await SchemaMigrator.ApplyPendingAsync(
            transaction, SchemaMigrator.Sqlite, BootstrapSql, SqliteDatabase.ToMicroseconds(_timeProvider.GetUtcNow()), lastVersion, _logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT 1";

        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = new SqliteCommand(Sql, connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1L;
        }
        catch (SqliteException exception)
        {
            StoreLog.PingFailed(_logger, exception);
            return false;
        }
    }

    private static void CreateParentDirectory(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var path = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || path.Length == 0 || path == ":memory:"
            || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
