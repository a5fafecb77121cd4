using Fleet.Contracts;
using Fleet.ServiceDefaults;
using MassTransit;

namespace Fleet.Gateway.Invocations;

/// <summary>Requests to the scheduler other than invocations: prewarming and the fleet's capacity view.</summary>
internal sealed class FleetControl(IClientFactory clients)
{
    private readonly IRequestClient<PrewarmFunction> _prewarm = clients.CreateRequestClient<PrewarmFunction>(QueueNames.SchedulerAddress, RequestTimeout.After(s: 120));
    private readonly IRequestClient<GetFleetStatus> _status = clients.CreateRequestClient<GetFleetStatus>(QueueNames.SchedulerAddress, RequestTimeout.After(s: 10));

    public async Task<int> PrewarmAsync(FunctionSpec function, int instances, bool refresh, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _prewarm.GetResponse<PrewarmResult>(
                new PrewarmFunction { Function = function, Instances = instances, RefreshPackage = refresh }, cancellationToken);
            return response.Message.Prewarmed;
        }
        catch (RequestTimeoutException error)
        {
            throw new CoreUnavailableException("no scheduler answered", error);
        }
    }

    public async Task<FleetStatus> StatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _status.GetResponse<FleetStatus>(new GetFleetStatus { AskedAt = DateTimeOffset.UtcNow }, cancellationToken);
            return response.Message;
        }
        catch (RequestTimeoutException error)
        {
            throw new CoreUnavailableException("no scheduler answered", error);
        }
    }
}
