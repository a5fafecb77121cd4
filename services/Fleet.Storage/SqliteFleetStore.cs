using Fleet.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage;

/// <summary>
/// The standalone process's store: one SQLite file in WAL mode, pooled connections, writes in one
/// <c>BEGIN IMMEDIATE</c> transaction each. Timestamps are INTEGER microseconds since the Unix epoch (UTC).
/// </summary>
internal sealed class SqliteFleetStore : IFleetStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteFleetStore> _logger;

    public SqliteFleetStore(string connectionString, TimeProvider timeProvider, ILogger<SqliteFleetStore> logger)
    {
        _connectionString = connectionString;
        _timeProvider = timeProvider;
        _logger = logger;
        CreateParentDirectory(connectionString);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        const string WalSql = "PRAGMA journal_mode = WAL";
        const string BootstrapSql = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER NOT NULL PRIMARY KEY,
                applied_at  INTEGER NOT NULL
            )
            """;

        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = new SqliteCommand(WalSql, connection))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        // deferred: false is BEGIN IMMEDIATE: the write lock is taken before the versions are read.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await SchemaMigrator.ApplyPendingAsync(
            transaction, SchemaMigrator.Sqlite, BootstrapSql, ToMicroseconds(_timeProvider.GetUtcNow()), _logger, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT 1";

        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = new SqliteCommand(Sql, connection);
            return await command.ExecuteScalarAsync(cancellationToken) is 1L;
        }
        catch (SqliteException exception)
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

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@name", function.Name);
        command.Parameters.AddWithValue("@spec", StoreDocuments.Write(function));
        command.Parameters.AddWithValue("@generation", function.Generation);
        command.Parameters.AddWithValue("@created_at", ToMicroseconds(function.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<FunctionSpec?> GetFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT spec FROM functions WHERE name = @name";

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@name", name);
        return await command.ReadFunctionAsync(cancellationToken);
    }

    public async Task<FunctionSpec?> DeleteFunctionAsync(string name, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM functions WHERE name = @name RETURNING spec";

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@name", name);
        return await command.ReadFunctionAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListFunctionNamesAsync(CancellationToken cancellationToken)
    {
        const string Sql = "SELECT name FROM functions";

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        return StoreDocuments.InOrdinalOrder(await command.ReadColumnAsync<string>(cancellationToken));
    }

    public async Task PutPackageAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO packages (hash, bytes, size, created_at)
            VALUES (@hash, @bytes, @size, @created_at)
            ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at
            """;

        StoreDocuments.EnsureHashMatches(hash, bytes.Span);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@hash", hash);
        command.Parameters.AddWithValue("@bytes", bytes.ToArray());
        command.Parameters.AddWithValue("@size", (long)bytes.Length);
        command.Parameters.AddWithValue("@created_at", ToMicroseconds(_timeProvider.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT bytes FROM packages WHERE hash = @hash";

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@hash", hash);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task<int> SaveOutcomesAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, created_at, expires_at, completed_at, result)
            VALUES (@id, @function, @created_at, @expires_at, @completed_at, @result)
            ON CONFLICT (id) DO UPDATE
            SET expires_at = excluded.expires_at, completed_at = excluded.completed_at, result = excluded.result, request = NULL
            WHERE calls.result IS NULL
            """;

        if (outcomes.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = new SqliteCommand(Sql, connection, transaction);
        var id = command.Parameters.Add("@id", SqliteType.Text);
        var function = command.Parameters.Add("@function", SqliteType.Text);
        var createdAt = command.Parameters.Add("@created_at", SqliteType.Integer);
        var expiresAt = command.Parameters.Add("@expires_at", SqliteType.Integer);
        var completedAt = command.Parameters.Add("@completed_at", SqliteType.Integer);
        var result = command.Parameters.Add("@result", SqliteType.Text);
        command.Prepare();
        var stored = 0;
        foreach (var outcome in StoreDocuments.FirstPerCall(outcomes))
        {
            id.Value = outcome.Id;
            function.Value = outcome.Function;
            createdAt.Value = ToMicroseconds(outcome.CreatedAt);
            expiresAt.Value = ToMicroseconds(outcome.ExpiresAt);
            completedAt.Value = ToMicroseconds(outcome.Result.CompletedAt);
            result.Value = StoreDocuments.Write(outcome.Result);
            stored += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        StoreLog.OutcomesSaved(_logger, stored, outcomes.Count);
        return stored;
    }

    public async Task<int> SaveQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, created_at, expires_at, request)
            VALUES (@id, @function, @created_at, @expires_at, @request)
            ON CONFLICT (id) DO NOTHING
            """;

        if (calls.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = new SqliteCommand(Sql, connection, transaction);
        var id = command.Parameters.Add("@id", SqliteType.Text);
        var function = command.Parameters.Add("@function", SqliteType.Text);
        var createdAt = command.Parameters.Add("@created_at", SqliteType.Integer);
        var expiresAt = command.Parameters.Add("@expires_at", SqliteType.Integer);
        var request = command.Parameters.Add("@request", SqliteType.Text);
        command.Prepare();
        var recorded = 0;
        foreach (var call in calls)
        {
            id.Value = call.Request.RequestId;
            function.Value = call.Request.Function.Name;
            createdAt.Value = ToMicroseconds(call.Request.ReceivedAt);
            expiresAt.Value = ToMicroseconds(call.ExpiresAt);
            request.Value = StoreDocuments.Write(call.Request);
            recorded += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    public async Task<IReadOnlyList<QueuedCall>> ListQueuedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(StoreDocuments.ListQueuedSql, connection);
        command.Parameters.AddWithValue("@now", ToMicroseconds(now));
        command.Parameters.AddWithValue("@after", afterId ?? "");
        command.Parameters.AddWithValue("@limit", limit);
        return await command.ReadQueuedAsync(static (reader, i) => FromMicroseconds(reader.GetInt64(i)), cancellationToken);
    }

    public async Task<CallRecord?> GetCallAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT function, created_at, expires_at, result
            FROM calls
            WHERE id = @id AND expires_at > @now AND result IS NOT NULL
            """;

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(Sql, connection);
        command.Parameters.AddWithValue("@id", id);
        command.Parameters.AddWithValue("@now", ToMicroseconds(now));
        return await command.ReadCallAsync(id, static (reader, i) => FromMicroseconds(reader.GetInt64(i)), cancellationToken);
    }

    public async Task<int> PurgeUnusedPackagesAsync(DateTimeOffset putBefore, CancellationToken cancellationToken)
    {
        const string Sql = """
            DELETE FROM packages
            WHERE created_at < @time
              AND NOT EXISTS (SELECT 1 FROM functions WHERE json_extract(spec, '$.packageHash') = packages.hash)
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

    /// <summary>Runs a delete whose one parameter is <c>@time</c>; returns how many rows went.</summary>
    private async Task<int> DeleteAsync(string sql, DateTimeOffset time, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(sql, connection);
        command.Parameters.AddWithValue("@time", ToMicroseconds(time));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Microseconds since the Unix epoch, UTC: PostgreSQL's timestamptz precision, so both stores agree.</summary>
    internal static long ToMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    internal static DateTimeOffset FromMicroseconds(long value) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

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

    /// <summary>A pooled connection with this store's per-connection settings (WAL itself persists in the file).</summary>
    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        const string Sql = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL";

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new SqliteCommand(Sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
