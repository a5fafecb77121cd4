using Fleet.Contracts;
using Fleet.Placement;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

/// <summary>
/// Spreads prewarmed instances over the workers with the most free memory until enough have started; what free memory
/// cannot hold is then asked of the same workers again, which make room by evicting idle instances of other functions.
/// </summary>
internal sealed class PrewarmFunctionConsumer(WorkerLedger ledger, IClientFactory clients) : IConsumer<PrewarmFunction>
{
    private static readonly RequestTimeout WorkerTimeout = RequestTimeout.After(s: 60);

    public async Task Consume(ConsumeContext<PrewarmFunction> context) =>
        await context.RespondAsync(new PrewarmResult { Prewarmed = await StartAsync(context.Message, context.CancellationToken) });

    private async Task<int> StartAsync(PrewarmFunction request, CancellationToken cancellationToken)
    {
        var candidates = ledger.PrewarmCandidates(request.Function.Runtime);
        var started = 0;
        // Instances 0 only prepares the package, on every worker, in the first pass.
        foreach (var evicting in request.Instances == 0 ? [false] : new[] { false, true })
        {
            foreach (var worker in candidates)
            {
                var remaining = request.Instances - started;
                var fits = evicting || request.Function.MemoryMB <= 0 ? remaining : worker.FreeMemoryMB / request.Function.MemoryMB;
                var ask = Math.Min(remaining, fits);
                if (request.Instances > 0 && ask <= 0)
                {
                    continue;
                }

                var client = clients.CreateRequestClient<PrewarmInstances>(worker.Address, WorkerTimeout);
                var response = await client.GetResponse<PrewarmResult>(
                    new PrewarmInstances { Function = request.Function, Instances = ask, RefreshPackage = request.RefreshPackage },
                    cancellationToken);
                ledger.AddIdleWarm(worker.Id, request.Function.Key, response.Message.Prewarmed);
                started += response.Message.Prewarmed;
                if (request.Instances > 0 && started >= request.Instances)
                {
                    return started;
                }
            }
        }

        return started;
    }
}
