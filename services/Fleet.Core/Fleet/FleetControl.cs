using Fleet.Contracts;
using Fleet.ServiceDefaults;
using MassTransit;

namespace Fleet.Core.Fleet;

/// <summary>Requests to the scheduler other than invocations: prewarming and the fleet's capacity view.</summary>
internal sealed class FleetControl(IClientFactory clients)
{
    private readonly IRequestClient<PrewarmFunction> _prewarm = clients.CreateRequestClient<PrewarmFunction>(QueueNames.SchedulerAddress, RequestTimeout.After(s: 120));
    private readonly IRequestClient<GetFleetStatus> _status = clients.CreateRequestClient<GetFleetStatus>(QueueNames.SchedulerAddress, RequestTimeout.After(s: 10));

    /// <summary>Starts up to <paramref name="instances"/> idle instances; returns how many started.</summary>
    public async Task<int> PrewarmAsync(FunctionSpec function, int instances, bool refreshPackage, CancellationToken cancellationToken)
    {
        var response = await Answered(_prewarm.GetResponse<PrewarmResult>(
            new PrewarmFunction { Function = function, Instances = instances, RefreshPackage = refreshPackage }, cancellationToken));
        return response.Message.Prewarmed;
    }

    public async Task<FleetOverview> StatusAsync(CancellationToken cancellationToken)
    {
        var status = (await Answered(_status.GetResponse<FleetStatus>(new GetFleetStatus { AskedAt = DateTimeOffset.UtcNow }, cancellationToken))).Message;
        return new FleetOverview(status.Workers, status.FreeSlots, status.AvailableMemMB, status.AvailableCpus, status.IdleWarm, status.DropCount);
    }

    private static async Task<T> Answered<T>(Task<T> request)
    {
        try
        {
            return await request;
        }
        catch (RequestTimeoutException error)
        {
            throw new CoreUnavailableException("no scheduler answered", error);
        }
    }
}
