using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Fleet.Facades.Tests;

/// <summary>
/// The real core in this process, below the HTTP wire: the standalone's gateway, scheduler and worker (its sandboxes
/// included) over a SQLite file of its own and the in-memory bus, served through <see cref="WebApplicationFactory{TEntryPoint}"/>.
/// </summary>
public sealed class InProcessFleet : WebApplicationFactory<Fleet.Standalone.Program>
{
    /// <summary>Fastmap's <c>/api/v1/secret</c> needs it (the test server's requests have no loopback address).</summary>
    public const string AdminToken = "facade-tests-admin";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"fleet-facades-{Guid.NewGuid():N}"[..22]);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_directory);
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:ConnectionString"] = $"Data Source={Path.Combine(_directory, "fleet.db")}",
            ["Worker:WorkerId"] = Path.GetFileName(_directory),
            ["Worker:DataDirectory"] = Path.Combine(_directory, "work"),
            ["Core:SecretsKeyFile"] = Path.Combine(_directory, "secrets.key"),
            ["Facades:Fastmap:AdminToken"] = AdminToken,
        }));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // An instance folder still held by a process being killed; the temp folder is cleaned some day.
        }
    }
}
