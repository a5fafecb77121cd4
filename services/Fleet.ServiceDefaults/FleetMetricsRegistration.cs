using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.ServiceDefaults;

public static class FleetMetricsRegistration
{
    /// <summary>The meter factory and <see cref="FleetMetrics"/>, once however many modules of a process ask.</summary>
    public static IServiceCollection AddFleetMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<FleetMetrics>();
        return services;
    }
}
