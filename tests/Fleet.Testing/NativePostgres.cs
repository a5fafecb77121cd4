namespace Fleet.Testing;

/// <summary>The PostgreSQL test.sh started (infra/local): restarted with pg_ctl on its data folder.</summary>
internal sealed class NativePostgres(string connectionString) : ITestPostgres
{
    public const string Variable = "FLEET_TEST_POSTGRES";

    public string ConnectionString => connectionString;

    /// <summary>The server named by <c>FLEET_TEST_POSTGRES</c>, or null when it is not set.</summary>
    public static NativePostgres? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } connectionString ? new NativePostgres(connectionString) : null;

    public Task RestartAsync() =>
        Command.RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Command.Required("FLEET_TEST_PG_BIN"), "pg_ctl"),
            "-D", Command.Required("FLEET_TEST_POSTGRES_DATA"), "-m", "fast", "-w", "-t", "60", "restart");
}
