using System.Data.Common;
using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using Fleet.Storage.Functions;
using Fleet.Storage.Jobs;
using Fleet.Storage.Records;
using Fleet.Storage.State;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fleet.Storage.Postgres;

/// <summary>
/// The distributed fleet's store: PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>, shared by one store per
/// aggregate.
/// </summary>
internal sealed class PostgresFleetStore : IFleetStore, IAsyncDisposable, IDisposable
{
    /// <summary>Advisory lock held while migrating ("FleetSto"); database-wide, so concurrent start-ups queue.</summary>
    private const long MigrationLockKey = 0x466C_6565_7453_746F;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresFleetStore> _logger;

    /// <param name="applicationName">Names this process's sessions in <c>pg_stat_activity</c>, unless the connection string does.</param>
    public PostgresFleetStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresFleetStore> logger, string? applicationName = null)
    {
        _dataSource = NpgsqlDataSource.Create(WithFleetDefaults(connectionString, applicationName));
        _database = new PostgresDatabase(_dataSource, logger);
        _timeProvider = timeProvider;
        _logger = logger;
        Functions = new PostgresFunctionStore(_database);
        Blobs = new PostgresBlobStore(_database, timeProvider, logger);
        Calls = new PostgresCallStore(_database, logger);
        State = new PostgresStateStore(_database);
        Records = new PostgresRecordStore(_database, logger);
        Jobs = new PostgresJobStore(_database, logger);
    }

    public IFunctionStore Functions { get; }

    public IBlobStore Blobs { get; }

    public ICallStore Calls { get; }

    public IStateStore State { get; }

    public IRecordStore Records { get; }

    public IJobStore Jobs { get; }

    /// <summary>
    /// The store keeps no session state, so a pooled connection is handed back without a reset round trip
    /// (<c>DISCARD ALL</c> per command), and its few statements are prepared once per connection, unless the connection
    /// string says otherwise. Sessions carry the service's name, so an operator sees in <c>pg_stat_activity</c> whose they are.
    /// </summary>
    internal static string WithFleetDefaults(string connectionString, string? applicationName = null)
    {
        // Npgsql's builder answers ContainsKey for every keyword it knows; the plain parser tells what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.Contains(nameof(builder.NoResetOnClose)))
        {
            builder.NoResetOnClose = true;
        }

        if (!written.Contains(nameof(builder.MaxAutoPrepare)))
        {
            builder.MaxAutoPrepare = 32;
        }

        if (!written.Contains(nameof(builder.ApplicationName)) && !string.IsNullOrEmpty(applicationName))
        {
            builder.ApplicationName = applicationName;
        }

        return builder.ConnectionString;
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the pending migrations up to <paramref name="lastVersion"/> (a test makes an earlier schema with it).</summary>
    internal async Task MigrateAsync(int lastVersion, CancellationToken cancellationToken)
    {
        const string LockSql = "SELECT pg_advisory_xact_lock(@key)";
        const string BootstrapSql = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer     PRIMARY KEY,
                applied_at  timestamptz NOT NULL
            )
            """;

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(LockSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long>("key", MigrationLockKey));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await SchemaMigrator.ApplyPendingAsync(
            transaction, SchemaMigrator.Postgres, BootstrapSql, _timeProvider.GetUtcNow(), lastVersion, _logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT 1";

        try
        {
            return await _database.RunAsync(Sql, static _ => { }, static async (command, ct) => await command.ExecuteScalarAsync(ct) is 1, cancellationToken);
        }
        catch (DbException exception)
        {
            StoreLog.PingFailed(_logger, exception);
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
