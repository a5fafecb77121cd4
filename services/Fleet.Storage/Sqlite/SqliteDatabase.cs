using Microsoft.Data.Sqlite;

namespace Fleet.Storage.Sqlite;

/// <summary>
/// What the SQLite aggregate stores share: pooled connections with this store's settings, batches in one
/// <c>BEGIN IMMEDIATE</c> transaction, and timestamps as INTEGER microseconds since the Unix epoch (UTC).
/// </summary>
internal sealed class SqliteDatabase(string connectionString)
{
    /// <summary>A pooled connection with this store's per-connection settings (WAL itself persists in the file).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        const string Sql = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL";

        var connection = new SqliteConnection(connectionString);
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

    /// <summary>Runs one statement on a connection of its own and reads its result with <paramref name="run"/>.</summary>
    public async Task<T> RunAsync<T>(
        string sql, Action<SqliteParameterCollection> bind, Func<SqliteCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new SqliteCommand(sql, connection);
        bind(command.Parameters);
        return await run(command, cancellationToken);
    }

    /// <summary>Runs a statement that does not read; returns how many rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken) =>
        RunAsync(sql, bind, static (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one <c>BEGIN IMMEDIATE</c> transaction on a connection of its own, committed when
    /// <paramref name="work"/> answers true for <paramref name="commit"/> of its result (rolled back otherwise, or when it throws).
    /// </summary>
    public async Task<T> TransactAsync<T>(
        Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work, Func<T, bool> commit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction, cancellationToken);
        if (commit(result))
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> in one transaction: the statement is prepared once and run per row, each column
    /// bound to the parameter of its name; <paramref name="bind"/> adds the statement's other parameters. Returns how
    /// many rows it changed.
    /// </summary>
    public async Task<int> WriteBatchAsync<T>(
        string sql, IReadOnlyList<T> rows, IReadOnlyList<BatchColumn<T>> columns, Action<SqliteParameterCollection> bind,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = new SqliteCommand(sql, connection, transaction);
        var parameters = columns
            .Select(column => command.Parameters.Add("@" + column.Name, column.TextOf is null ? SqliteType.Integer : SqliteType.Text))
            .ToArray();
        bind(command.Parameters);
        command.Prepare();
        var changed = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = columns[i].TextOf is { } text ? text(row) : ToMicroseconds(columns[i].TimeOf!(row));
            }

            changed += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    /// <summary>The first column of the first row as bytes (an empty BLOB too), or null when there is no row.</summary>
    public static async Task<byte[]?> ReadBytesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.IsDBNull(0) ? [] : reader.GetFieldValue<byte[]>(0) : null;
    }

    /// <summary>A list of states as one parameter, for <c>IN (SELECT value FROM json_each(@expected))</c>.</summary>
    public static void AddExpected(SqliteParameterCollection parameters, string[] states) =>
        parameters.AddWithValue("@expected", "[" + string.Join(',', states.Select(state => $"\"{state}\"")) + "]");

    public static object Time(DateTimeOffset? value) => value is { } time ? ToMicroseconds(time) : DBNull.Value;

    /// <summary>Microseconds since the Unix epoch, UTC: PostgreSQL's timestamptz precision, so both stores agree.</summary>
    public static long ToMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicroseconds(long value) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
}
