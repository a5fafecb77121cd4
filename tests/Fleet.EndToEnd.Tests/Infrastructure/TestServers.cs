using System.Diagnostics;
using Npgsql;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>The real RabbitMQ and PostgreSQL the test command started. Missing ones fail the tests, never skip them.</summary>
internal static class TestServers
{
    public static Uri RabbitMq => new(Required("FLEET_TEST_RABBITMQ"));

    public static Uri RabbitMqManagement => new(Required("FLEET_TEST_RABBITMQ_MANAGEMENT"));

    public static string Postgres => Required("FLEET_TEST_POSTGRES");

    /// <summary>
    /// Stops RabbitMQ's application and starts it again after <paramref name="down"/>, as a broker restart does: every
    /// connection is closed, queues come back from disk with their persistent messages only.
    /// </summary>
    public static async Task RestartRabbitMqAsync(TimeSpan down)
    {
        var node = Required("FLEET_TEST_RABBITMQ_NODE");
        await RunAsync("rabbitmqctl", "-n", node, "-q", "stop_app");
        await Task.Delay(down);
        await RunAsync("rabbitmqctl", "-n", node, "-q", "start_app");
        await RunAsync("rabbitmqctl", "-n", node, "-q", "await_startup");
    }

    /// <summary>Restarts PostgreSQL (fast shutdown: sessions are ended, the server comes back on the same port).</summary>
    public static async Task RestartPostgresAsync()
    {
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Required("FLEET_TEST_PG_BIN"), "pg_ctl"),
            "-D", Required("FLEET_TEST_POSTGRES_DATA"), "-m", "fast", "-w", "-t", "60", "restart");

        // The tests' own pooled sessions ended too.
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests with ./test.sh, which starts the servers they need.");
}
