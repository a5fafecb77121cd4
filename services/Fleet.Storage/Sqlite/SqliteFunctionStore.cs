using Fleet.Contracts;
using Fleet.Storage.Functions;

namespace Fleet.Storage.Sqlite;

internal sealed class SqliteFunctionStore(SqliteDatabase database) : IFunctionStore
{
    public async Task<bool> TryCreateAsync(FunctionSpec function, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO functions (namespace, name, spec, generation, package_hash, created_at)
            VALUES (@namespace, @name, @spec, @generation, @package_hash, @created_at)
            ON CONFLICT (namespace, name) DO NOTHING
            """;

        return await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@namespace", function.Namespace);
                parameters.AddWithValue("@name", function.Name);
                parameters.AddWithValue("@spec", StoreDocuments.Write(function));
                parameters.AddWithValue("@generation", function.Generation);
                parameters.AddWithValue("@package_hash", function.PackageHash);
                parameters.AddWithValue("@created_at", SqliteDatabase.ToMicroseconds(function.CreatedAt));
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
            Sql, parameters => parameters.AddWithValue("@namespace", @namespace), static (command, ct) => command.ReadColumnAsync<string>(ct), cancellationToken));
    }

    private Task<FunctionSpec?> ReadOneAsync(string sql, string @namespace, string name, CancellationToken cancellationToken) =>
        database.RunAsync(
            sql,
            parameters =>
            {
                parameters.AddWithValue("@namespace", @namespace);
                parameters.AddWithValue("@name", name);
            },
            static (command, ct) => command.ReadFunctionAsync(ct),
            cancellationToken);
}
