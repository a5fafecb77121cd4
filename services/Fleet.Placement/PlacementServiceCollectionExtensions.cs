using Fleet.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Placement;

public static class PlacementServiceCollectionExtensions
{
    /// <summary>The process's one <see cref="WorkerLedger"/>, shared when gateway and scheduler run in one process.</summary>
    public static IServiceCollection AddWorkerLedger(this IServiceCollection services)
    {
        services.AddOptions<PlacementOptions>().BindConfiguration(PlacementOptions.SectionName)
            .Validate(o => o.QueueCapacity >= 0 && o.WorkerSilenceSeconds > 0 && o.ForgetWorkerAfterSeconds >= o.WorkerSilenceSeconds, "Placement options out of range").ValidateOnStart();
        services.TryAddSingletonTimeProvider();
        services.TryAddSingleton<WorkerLedger>();
        return services;
    }
}
