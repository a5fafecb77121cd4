using Fleet.Contracts;
using Fleet.Storage.Functions;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage.Postgres;

internal sealed class PostgresFunctionStore(PostgresDatabase database) : IFunctionStore
{
    public async Task<bool> TryCreateAsync(FunctionSpec function, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO functions (namespace, name, spec, generation, package_hash, created_at)
            VALUES (@namespace, @name, @spec, @generation, @package_hash, @created_at)
            ON CONFLICT (namespace, name) DO NOTHING
            """;

        var spec = StoreDocuments.Write(function);
        return await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("namespace", function.Namespace));
                parameters.Add(new NpgsqlParameter<string>("name", function.Name));
                parameters.Add(new NpgsqlParameter<string>("spec", NpgsqlDbType.Jsonb) { TypedValue = spec });
                parameters.Add(new NpgsqlParameter<string>("generation", function.Generation));
                parameters.Add(new NpgsqlParameter<string>("package_hash", function.PackageHash));
                parameters.Add(PostgresDatabase.Time("created_at", function.CreatedAt));
            },
            cancellationToken) == 1;
    }

    public Task<FunctionSpec?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        ReadOneAsync("SELECT spec FROM functions WHERE namespace = @namespace AND name = @name", @namespace, name, cancellationToken);

    public Task<FunctionSpec?> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        ReadOneAsync("DELETE FROM functions WHERE namespace = @namespace AND name = @name RETURNING spec", @namespace, name, cancellationToken);

    public async Task<IReadOnlyList<string>> ListNamesAsync(string @namespace, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT name FROM functions WHERE namespace = @namespace";

        return StoreDocuments.InOrdinalOrder(await database.RunAsync(
            Sql,
            parameters => parameters.Add(new NpgsqlParameter<string>("namespace", @namespace)),
            static (command, ct) => command.ReadColumnAsync<string>(ct),
            cancellationToken));
    }

    private Task<FunctionSpec?> ReadOneAsync(string sql, string @namespace, string name, CancellationToken cancellationToken) =>
        database.RunAsync(
            sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("namespace", @namespace));
                parameters.Add(new NpgsqlParameter<string>("name", name));
            },
            static (command, ct) => command.ReadFunctionAsync(ct),
            cancellationToken);
}
