using System.Data.Common;
using Fleet.Contracts;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage;

/// <summary>The distributed fleet's store: PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed class PostgresFleetStore : IFleetStore, IAsyncDisposable, IDisposable
{
    /// <summary>Advisory lock held while migrating ("FleetSto"); database-wide, so concurrent start-ups queue.</summary>
    private const long MigrationLockKey = 0x466C_6565_7453_746F;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresFleetStore> _logger;

    public PostgresFleetStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresFleetStore> logger)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
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
            transaction, SchemaMigrator.Postgres, BootstrapSql, _timeProvider.GetUtcNow(), _logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT 1";

        try
        {
            await using var command = _dataSource.CreateCommand(Sql);
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (DbException exception)
        {
            StoreLog.PingFailed(_logger, exception);
            return false;
        }
    }

    public async Task<bool> TryCreateFunctionAsync(FunctionSpec function, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO functions (name, spec, generation, created_at)
            VALUES (@name, @spec, @generation, @created_at)
            ON CONFLICT (name) DO NOTHING
            """;

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("name", function.Name));
        command.Parameters.Add(new NpgsqlParameter<string>("spec", NpgsqlDbType.Jsonb) { TypedValue = StoreDocuments.Write(function) });
        command.Parameters.Add(new NpgsqlParameter<string>("generation", function.Generation));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("created_at", function.CreatedAt.ToUniversalTime()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<FunctionSpec?> GetFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT spec FROM functions WHERE name = @name";

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return await command.ReadFunctionAsync(cancellationToken);
    }

    public async Task<FunctionSpec?> DeleteFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM functions WHERE name = @name RETURNING spec";

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return await command.ReadFunctionAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListFunctionNamesAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT name FROM functions";

        await using var command = _dataSource.CreateCommand(Sql);
        return StoreDocuments.InOrdinalOrder(await command.ReadColumnAsync<string>(cancellationToken));
    }

    public async Task PutPackageAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO packages (hash, bytes, size, created_at)
            VALUES (@hash, @bytes, @size, now())
            ON CONFLICT (hash) DO NOTHING
            """;

        StoreDocuments.EnsureHashMatches(hash, bytes.Span);
        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("hash", hash));
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("bytes", NpgsqlDbType.Bytea) { TypedValue = bytes });
        command.Parameters.Add(new NpgsqlParameter<long>("size", bytes.Length));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT bytes FROM packages WHERE hash = @hash";

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("hash", hash));
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <remarks>Already-recorded ids are left as they are, so a redelivered record never clears an outcome.</remarks>
    public async Task RecordCallsAsync(IReadOnlyList<CallRecord> calls, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, created_at, expires_at)
            SELECT * FROM unnest(@ids, @functions, @created_at, @expires_at)
            ON CONFLICT (id) DO NOTHING
            """;

        if (calls.Count == 0)
        {
            return;
        }

        var ids = new string[calls.Count];
        var functions = new string[calls.Count];
        var createdAt = new DateTimeOffset[calls.Count];
        var expiresAt = new DateTimeOffset[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            ids[i] = calls[i].Id;
            functions[i] = calls[i].Function;
            createdAt[i] = calls[i].CreatedAt.ToUniversalTime();
            expiresAt[i] = calls[i].ExpiresAt.ToUniversalTime();
        }

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter<string[]>("functions", functions));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("created_at", createdAt));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("expires_at", expiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> CompleteCallsAsync(
        IReadOnlyList<InvocationResult> results, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE calls AS c
            SET result = r.result, completed_at = @completed_at, expires_at = @expires_at
            FROM unnest(@ids, @results) AS r(id, result)
            WHERE c.id = r.id AND c.result IS NULL
            """;

        if (results.Count == 0)
        {
            return 0;
        }

        var first = StoreDocuments.FirstPerCall(results);
        var ids = new string[first.Count];
        var documents = new string[first.Count];
        for (var i = 0; i < first.Count; i++)
        {
            ids[i] = first[i].RequestId;
            documents[i] = StoreDocuments.Write(first[i]);
        }

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter<string[]>("results", documents));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("completed_at", _timeProvider.GetUtcNow()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("expires_at", expiresAt.ToUniversalTime()));
        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
        StoreLog.CallsCompleted(_logger, changed, results.Count);
        return changed;
    }

    public async Task<CallRecord?> GetCallAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT function, created_at, expires_at, result
            FROM calls
            WHERE id = @id AND expires_at > @now
            """;

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("id", id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        return await command.ReadCallAsync(id, static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), cancellationToken);
    }

    public async Task<int> PurgeExpiredCallsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM calls WHERE expires_at <= @now";

        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        var purged = await command.ExecuteNonQueryAsync(cancellationToken);
        StoreLog.CallsPurged(_logger, purged);
        return purged;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
