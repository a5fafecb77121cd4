using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage;

/// <summary>
/// The migration runner both stores share. The caller opens the transaction and takes the provider's lock
/// (PostgreSQL: <c>pg_advisory_xact_lock</c>; SQLite: <c>BEGIN IMMEDIATE</c>), so concurrent start-ups apply
/// each script exactly once; this applies the pending scripts in version order inside that transaction.
/// </summary>
internal static class SchemaMigrator
{
    public const string Postgres = "Postgres";

    public const string Sqlite = "Sqlite";

    /// <summary>The embedded scripts of a provider in version order.</summary>
    public static IReadOnlyList<MigrationScript> Scripts(string provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"{typeof(SchemaMigrator).Namespace}.Migrations.{provider}.";
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[prefix.Length..];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new MigrationScript(version, name, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        return scripts;
    }

    /// <summary>
    /// Creates <c>schema_migrations</c> with <paramref name="bootstrapSql"/> if missing, then applies the pending scripts
    /// up to <paramref name="lastVersion"/>. <paramref name="appliedAt"/> is the provider's value for the current time.
    /// </summary>
    public static async Task ApplyPendingAsync(
        DbTransaction transaction, string provider, string bootstrapSql, object appliedAt, int lastVersion, ILogger logger,
        CancellationToken cancellationToken)
    {
        const string SelectAppliedSql = "SELECT version FROM schema_migrations";
        const string InsertAppliedSql = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @applied_at)";

        await ExecuteAsync(transaction, bootstrapSql, cancellationToken);

        HashSet<int> applied;
        await using (var select = Command(transaction, SelectAppliedSql))
        {
            applied = [.. await select.ReadColumnAsync<int>(cancellationToken)];
        }

        var scripts = Scripts(provider).Where(s => s.Version <= lastVersion).ToList();
        foreach (var script in scripts.Where(s => !applied.Contains(s.Version)))
        {
            await ExecuteAsync(transaction, script.Sql, cancellationToken);
            await using var insert = Command(transaction, InsertAppliedSql);
            AddParameter(insert, "@version", script.Version);
            AddParameter(insert, "@applied_at", appliedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            StoreLog.MigrationApplied(logger, provider, script.Version, script.Name);
        }

        StoreLog.SchemaCurrent(logger, provider, scripts.Count == 0 ? 0 : scripts[^1].Version);
    }

    private static async Task ExecuteAsync(DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
