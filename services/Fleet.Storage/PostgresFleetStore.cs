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

    /// <param name="applicationName">Names this process's sessions in <c>pg_stat_activity</c>, unless the connection string does.</param>
    public PostgresFleetStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresFleetStore> logger, string? applicationName = null)
    {
        _dataSource = NpgsqlDataSource.Create(WithFleetDefaults(connectionString, applicationName));
        _timeProvider = timeProvider;
        _logger = logger;
    }

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
            return await RunAsync(Sql, static _ => { }, static async (command, ct) => await command.ExecuteScalarAsync(ct) is 1, cancellationToken);
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

        var spec = StoreDocuments.Write(function);
        return await RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("name", function.Name));
                parameters.Add(new NpgsqlParameter<string>("spec", NpgsqlDbType.Jsonb) { TypedValue = spec });
                parameters.Add(new NpgsqlParameter<string>("generation", function.Generation));
                parameters.Add(new NpgsqlParameter<DateTimeOffset>("created_at", function.CreatedAt.ToUniversalTime()));
            },
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
            cancellationToken) == 1;
    }

    public async Task<FunctionSpec?> GetFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT spec FROM functions WHERE name = @name";

        return await RunAsync(
            Sql, parameters => parameters.Add(new NpgsqlParameter<string>("name", name)), static (command, ct) => command.ReadFunctionAsync(ct), cancellationToken);
    }

    public async Task<FunctionSpec?> DeleteFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM functions WHERE name = @name RETURNING spec";

        return await RunAsync(
            Sql, parameters => parameters.Add(new NpgsqlParameter<string>("name", name)), static (command, ct) => command.ReadFunctionAsync(ct), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListFunctionNamesAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT name FROM functions";

        return StoreDocuments.InOrdinalOrder(
            await RunAsync(Sql, static _ => { }, static (command, ct) => command.ReadColumnAsync<string>(ct), cancellationToken));
    }

    public async Task PutPackageAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO packages (hash, bytes, size, created_at)
            VALUES (@hash, @bytes, @size, now())
            ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at
            """;

        StoreDocuments.EnsureHashMatches(hash, bytes.Span);
        await RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("hash", hash));
                parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("bytes", NpgsqlDbType.Bytea) { TypedValue = bytes });
                parameters.Add(new NpgsqlParameter<long>("size", bytes.Length));
            },
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
            cancellationToken);
    }

    public async Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT bytes FROM packages WHERE hash = @hash";

        return await RunAsync(
            Sql,
            parameters => parameters.Add(new NpgsqlParameter<string>("hash", hash)),
            static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[],
            cancellationToken);
    }

    public async Task<int> SaveOutcomesAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, created_at, expires_at, completed_at, result)
            SELECT * FROM unnest(@ids, @functions, @created_at, @expires_at, @completed_at, @results)
            ON CONFLICT (id) DO UPDATE
            SET expires_at = excluded.expires_at, completed_at = excluded.completed_at, result = excluded.result, request = NULL
            WHERE calls.result IS NULL
            """;

        if (outcomes.Count == 0)
        {
            return 0;
        }

        var first = StoreDocuments.FirstPerCall(outcomes);
        var ids = new string[first.Count];
        var functions = new string[first.Count];
        var createdAt = new DateTimeOffset[first.Count];
        var expiresAt = new DateTimeOffset[first.Count];
        var completedAt = new DateTimeOffset[first.Count];
        var results = new string[first.Count];
        for (var i = 0; i < first.Count; i++)
        {
            ids[i] = first[i].Id;
            functions[i] = first[i].Function;
            createdAt[i] = first[i].CreatedAt.ToUniversalTime();
            expiresAt[i] = first[i].ExpiresAt.ToUniversalTime();
            completedAt[i] = first[i].Result.CompletedAt.ToUniversalTime();
            results[i] = StoreDocuments.Write(first[i].Result);
        }

        var stored = await RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
                parameters.Add(new NpgsqlParameter<string[]>("functions", functions));
                parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("created_at", createdAt));
                parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("expires_at", expiresAt));
                parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("completed_at", completedAt));
                parameters.Add(new NpgsqlParameter<string[]>("results", results));
            },
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
            cancellationToken);
        StoreLog.OutcomesSaved(_logger, stored, outcomes.Count);
        return stored;
    }

    public async Task<int> SaveQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, created_at, expires_at, request)
            SELECT * FROM unnest(@ids, @functions, @created_at, @expires_at, @requests)
            ON CONFLICT (id) DO NOTHING
            """;

        if (calls.Count == 0)
        {
            return 0;
        }

        var first = calls.DistinctBy(c => c.Request.RequestId, StringComparer.Ordinal).ToList();
        var ids = first.Select(c => c.Request.RequestId).ToArray();
        var functions = first.Select(c => c.Request.Function.Name).ToArray();
        var createdAt = first.Select(c => c.Request.ReceivedAt.ToUniversalTime()).ToArray();
        var expiresAt = first.Select(c => c.ExpiresAt.ToUniversalTime()).ToArray();
        var requests = first.Select(c => StoreDocuments.Write(c.Request)).ToArray();
        return await RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
                parameters.Add(new NpgsqlParameter<string[]>("functions", functions));
                parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("created_at", createdAt));
                parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("expires_at", expiresAt));
                parameters.Add(new NpgsqlParameter<string[]>("requests", requests));
            },
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
            cancellationToken);
    }

    public async Task<IReadOnlyList<QueuedCall>> ListQueuedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken)
    {
        return await RunAsync(
            StoreDocuments.ListQueuedSql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
                parameters.Add(new NpgsqlParameter<string>("after", afterId ?? ""));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadQueuedAsync(static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), ct),
            cancellationToken);
    }

    public async Task<CallRecord?> GetCallAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT function, created_at, expires_at, result
            FROM calls
            WHERE id = @id AND expires_at > @now AND result IS NOT NULL
            """;

        return await RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("id", id));
                parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
            },
            (command, ct) => command.ReadCallAsync(id, static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), ct),
            cancellationToken);
    }

    public async Task<int> PurgeUnusedPackagesAsync(DateTimeOffset putBefore, CancellationToken cancellationToken)
    {
        const string Sql = """
            DELETE FROM packages AS p
            WHERE p.created_at < @time
              AND NOT EXISTS (SELECT 1 FROM functions AS f WHERE f.spec->>'packageHash' = p.hash)
            """;

        var purged = await DeleteAsync(Sql, putBefore, cancellationToken);
        StoreLog.PackagesPurged(_logger, purged);
        return purged;
    }

    public async Task<int> PurgeExpiredCallsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purged = await DeleteAsync("DELETE FROM calls WHERE expires_at <= @time", now, cancellationToken);
        StoreLog.CallsPurged(_logger, purged);
        return purged;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    /// <summary>Runs a delete whose one parameter is <c>@time</c>; returns how many rows went.</summary>
    private Task<int> DeleteAsync(string sql, DateTimeOffset time, CancellationToken cancellationToken) =>
        RunAsync(
            sql,
            parameters => parameters.Add(new NpgsqlParameter<DateTimeOffset>("time", time.ToUniversalTime())),
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
            cancellationToken);

    /// <summary>
    /// Runs one statement, and once more when the server had ended the session it got (a database restart or
    /// failover, <c>pg_terminate_backend</c>): Npgsql then empties its pool, so the second try opens a fresh session
    /// instead of failing a caller for a session that was gone before its statement was sent. Every statement here is
    /// a single autocommit statement that is safe to send again.
    /// </summary>
    private async Task<T> RunAsync<T>(
        string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var command = _dataSource.CreateCommand(sql);
            bind(command.Parameters);
            try
            {
                return await run(command, cancellationToken);
            }
            catch (Exception error) when (attempt == 1 && IsSessionGone(error))
            {
                StoreLog.SessionGone(_logger, error);
            }
        }
    }

    /// <summary>The server ended the session (shut down, crashed, or was told to), or the connection broke under it.</summary>
    private static bool IsSessionGone(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown }
            or NpgsqlException { InnerException: IOException or EndOfStreamException or System.Net.Sockets.SocketException };
}
