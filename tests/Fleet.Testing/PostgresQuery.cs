using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Npgsql;

namespace Fleet.Testing;

/// <summary>
/// Ready when <c>SELECT 1</c> runs through the published port with the test credentials: the final server, not the
/// official image's init-time one (which listens on its socket only), and one that works for any image.
/// </summary>
internal sealed class PostgresQuery(string connectionString) : IWaitUntil
{
    public async Task<bool> UntilAsync(IContainer container)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }
}
