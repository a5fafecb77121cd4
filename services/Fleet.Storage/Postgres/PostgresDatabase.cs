using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage.Postgres;

/// <summary>What the PostgreSQL aggregate stores share: one pooled data source, the session-gone retry and batch binding.</summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource, ILogger logger)
{
    /// <summary>
    /// Runs one statement, and once more when the server had ended the session it got (a database restart or
    /// failover, <c>pg_terminate_backend</c>): Npgsql then empties its pool, so the second try opens a fresh session
    /// instead of failing a caller for a session that was gone before its statement was sent. Every statement here is
    /// a single autocommit statement that is safe to send again.
    /// </summary>
    public async Task<T> RunAsync<T>(
        string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var command = dataSource.CreateCommand(sql);
            bind(command.Parameters);
            try
            {
                return await run(command, cancellationToken);
            }
            catch (Exception error) when (attempt == 1 && IsSessionGone(error))
            {
                StoreLog.SessionGone(logger, error);
            }
        }
    }

    /// <summary>Runs one statement that must not be sent twice (it is not idempotent): a session gone fails it.</summary>
    public async Task<T> RunOnceAsync<T>(
        string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        bind(command.Parameters);
        return await run(command, cancellationToken);
    }

    /// <summary>Runs a statement that does not read; returns how many rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        RunAsync(sql, bind, static (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken);

    /// <summary>
    /// Writes <paramref name="rows"/> in one statement: each column becomes one array parameter of its name, for
    /// <c>unnest</c>; <paramref name="bind"/> adds the statement's other parameters. Returns how many rows it changed.
    /// </summary>
    public Task<int> WriteBatchAsync<T>(
        string sql, IReadOnlyList<T> rows, IReadOnlyList<BatchColumn<T>> columns, Action<NpgsqlParameterCollection> bind,
        CancellationToken cancellationToken) =>
        rows.Count == 0
            ? Task.FromResult(0)
            : ExecuteAsync(
                sql,
                parameters =>
                {
                    foreach (var column in columns)
                    {
                        parameters.Add(column.TextOf is { } text
                            ? new NpgsqlParameter<string[]>(column.Name, rows.Select(text).ToArray())
                            : new NpgsqlParameter<DateTimeOffset[]>(column.Name, rows.Select(row => column.TimeOf!(row).ToUniversalTime()).ToArray()));
                    }

                    bind(parameters);
                },
                cancellationToken);

    public static NpgsqlParameter<DateTimeOffset> Time(string name, DateTimeOffset value) => new(name, value.ToUniversalTime());

    public static NpgsqlParameter<DateTimeOffset?> Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = value?.ToUniversalTime() };

    /// <summary>The server ended the session (shut down, crashed, or was told to), or the connection broke under it.</summary>
    private static bool IsSessionGone(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown }
            or NpgsqlException { InnerException: IOException or EndOfStreamException or System.Net.Sockets.SocketException };
}
