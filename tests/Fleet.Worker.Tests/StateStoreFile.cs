using Fleet.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Worker.Tests;

/// <summary>A real SQLite store in a temp file of its own, registered as the services register it; removed on dispose.</summary>
internal sealed class StateStoreFile : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fleet-worker-state-tests", Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services;

    public StateStoreFile()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Provider"] = "sqlite",
            ["Store:ConnectionString"] = $"Data Source={Path.Combine(_directory, "fleet.db")}",
        }).Build();
        _services = new ServiceCollection().AddLogging().AddFleetStore(configuration).BuildServiceProvider();
    }

    public IFleetStore Store => _services.GetRequiredService<IFleetStore>();

    /// <summary>The store with its schema; without it every statement fails as a store that does not answer would.</summary>
    public async Task<IFleetStore> MigratedAsync()
    {
        await Store.MigrateAsync(TestContext.Current.CancellationToken);
        return Store;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
