using Fleet.Contracts;
using Fleet.Placement;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

/// <summary>Spreads prewarmed instances over the workers with the most free memory until enough have started.</summary>
internal sealed class PrewarmFunctionConsumer(WorkerLedger ledger, IClientFactory clients) : IConsumer<PrewarmFunction>
{
    private static readonly RequestTimeout WorkerTimeout = RequestTimeout.After(s: 60);

    public async Task Consume(ConsumeContext<PrewarmFunction> context)
    {
        var request = context.Message;
        var started = 0;
        foreach (var worker in ledger.PrewarmCandidates())
        {
            var remaining = request.Instances - started;
            var fits = request.Function.MemoryMB > 0 ? worker.FreeMemoryMB / request.Function.MemoryMB : remaining;
            var ask = request.Instances == 0 ? 0 : Math.Min(remaining, fits);
            if (request.Instances > 0 && ask <= 0)
            {
                continue;
            }

            var client = clients.CreateRequestClient<PrewarmInstances>(worker.Address, WorkerTimeout);
            var response = await client.GetResponse<PrewarmResult>(
                new PrewarmInstances { Function = request.Function, Instances = ask, RefreshPackage = request.RefreshPackage },
                context.CancellationToken);
            ledger.AddIdleWarm(worker.Id, request.Function.Key, response.Message.Prewarmed);
            started += response.Message.Prewarmed;
            if (request.Instances > 0 && started >= request.Instances)
            {
                break;
            }
        }

        await context.RespondAsync(new PrewarmResult { Prewarmed = started });
    }
}
