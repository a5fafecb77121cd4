using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleet.Storage;

/// <summary>Readiness: the store answers a trivial query. Registered by <c>AddFleetStore</c> with the "ready" tag.</summary>
internal sealed class FleetStoreHealthCheck(IFleetStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, "The store did not answer.");
}
