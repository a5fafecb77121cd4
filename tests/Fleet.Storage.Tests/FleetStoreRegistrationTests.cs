using Fleet.Storage.Postgres;
using Fleet.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fleet.Storage.Tests;

public sealed class FleetStoreRegistrationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"fleet-store-di-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_store_is_registered_migrates_and_reports_ready()
    {
        using var host = Build("sqlite", $"Data Source={Path.Combine(_root, "nested", "fleet.db")}");
        await host.StartAsync(Ct);
        var store = host.Services.GetRequiredService<IFleetStore>();

        await store.MigrateAsync(Ct);
        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);

        Assert.IsType<SqliteFleetStore>(store);
        Assert.Same(store, host.Services.GetRequiredService<IFleetStore>());
        Assert.Equal(HealthStatus.Healthy, report.Entries[FleetStoreServiceCollectionExtensions.HealthCheckName].Status);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Health_check_is_unhealthy_when_the_store_does_not_answer()
    {
        // A directory where the database file should be: SQLite cannot open it.
        Directory.CreateDirectory(Path.Combine(_root, "taken.db"));
        using var host = Build("sqlite", $"Data Source={Path.Combine(_root, "taken.db")}");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries[FleetStoreServiceCollectionExtensions.HealthCheckName].Status);
    }

    [Fact]
    public void Postgres_provider_resolves_the_postgres_store()
    {
        using var host = Build("Postgres", "Host=127.0.0.1;Username=nobody;Database=nothing");

        Assert.IsType<PostgresFleetStore>(host.Services.GetRequiredService<IFleetStore>());
    }

    [Fact]
    public async Task Unknown_provider_fails_at_start()
    {
        using var host = Build("mongodb", "mongodb://localhost");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Store:Provider", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static IHost Build(string provider, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Provider"] = provider,
            ["Store:ConnectionString"] = connectionString,
        });
        builder.Services.AddFleetStore(builder.Configuration);
        return builder.Build();
    }
}
