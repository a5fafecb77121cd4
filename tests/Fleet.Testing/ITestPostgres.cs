namespace Fleet.Testing;

/// <summary>The PostgreSQL the tests run against, as <see cref="TestServers"/> chose it.</summary>
public interface ITestPostgres
{
    /// <summary>An Npgsql connection string of a superuser (the tests make and drop databases and schemas).</summary>
    string ConnectionString { get; }

    /// <summary>Restarts the server with a fast shutdown (sessions are ended, data kept), back on the same port. Returns once it serves again.</summary>
    Task RestartAsync();
}
