using Fleet.Storage.Blobs;
using Fleet.Storage.Packages;
using Fleet.Storage.Postgres;
using Fleet.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

public static class FleetStoreServiceCollectionExtensions
{
    /// <summary>The name of the store's health check (tagged "ready").</summary>
    public const string HealthCheckName = "store";

    /// <summary>Upper bounds for the package limits: far above any code package, low enough that no sum of sizes overflows.</summary>
    private const int MaxPackageEntries = 10_000_000;

    private const long MaxPackageBytes = 1L << 40;

    /// <summary>Both databases hold a value of up to 1 GB (PostgreSQL's bytea and SQLite's default SQLITE_MAX_LENGTH).</summary>
    private const long MaxStateValueBytes = 1_000_000_000;

    /// <summary>
    /// Binds <see cref="StoreOptions"/> (section "Store", validated at start-up), registers the provider's
    /// <see cref="IFleetStore"/> as a singleton and its readiness check. Callers apply the schema at start-up
    /// with <see cref="IFleetStore.MigrateAsync"/>. Also binds <see cref="PackageLimits"/> (section "Packages"): the
    /// packages the store holds are checked against them by every service that reads one, so all must agree.
    /// </summary>
    public static IServiceCollection AddFleetStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection(StoreOptions.SectionName))
            .Validate(o => IsProvider(o, "sqlite") || IsProvider(o, "postgres"), "Store:Provider must be 'sqlite' or 'postgres'.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), "Store:ConnectionString is required.")
            .Validate(o => o.MaxStateValueBytes is > 0 and <= MaxStateValueBytes, $"Store:MaxStateValueBytes must be 1 to {MaxStateValueBytes}.")
            .Validate(o => o.CallRetentionSeconds > 0, "Store:CallRetentionSeconds must be positive.")
            .Validate(o => o.PurgeIntervalSeconds > 0, "Store:PurgeIntervalSeconds must be positive.")
            .Validate(o => o.InlinePayloadBytes >= 0, "Store:InlinePayloadBytes must not be negative.")
            .ValidateOnStart();
        services.AddOptions<PackageLimits>()
            .Bind(configuration.GetSection(PackageLimits.SectionName))
            .Validate(o => o.MaxEntries is > 0 and <= MaxPackageEntries, $"Packages:MaxEntries must be 1 to {MaxPackageEntries}.")
            .Validate(o => o.MaxUnpackedBytes is > 0 and <= MaxPackageBytes, $"Packages:MaxUnpackedBytes must be 1 to {MaxPackageBytes}.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IFleetStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StoreOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            return IsProvider(options, "postgres")
                ? new PostgresFleetStore(options.ConnectionString, time, provider.GetRequiredService<ILogger<PostgresFleetStore>>(),
                    provider.GetService<IHostEnvironment>()?.ApplicationName)
                : new SqliteFleetStore(options.ConnectionString, time, provider.GetRequiredService<ILogger<SqliteFleetStore>>());
        });

        services.AddSingleton<PayloadBlobs>();
        services.AddHealthChecks().AddCheck<FleetStoreHealthCheck>(HealthCheckName, tags: ["ready"]);
        return services;
    }

    private static bool IsProvider(StoreOptions options, string provider) =>
        string.Equals(options.Provider, provider, StringComparison.OrdinalIgnoreCase);
}
