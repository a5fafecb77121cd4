using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage.Jobs;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>
/// Where a call of job slices ends: its outcomes stored (durable when <see cref="WriteAsync"/> returns), then the
/// dispatching scheduler told, so its engine sends the job's next slices at once. A cancelled job's outcomes are
/// dropped.
/// </summary>
internal sealed partial class SliceResults(
    SliceOutcomeWriter writer, JobCancellations cancellations, ISendEndpointProvider endpoints, ILogger<SliceResults> logger)
{
    public async Task WriteAsync(JobSlices slices, InvocationResult result, CancellationToken cancellationToken)
    {
        if (cancellations.IsCancelled(slices.JobId))
        {
            return;
        }

        await writer.WriteAsync(slices, result, cancellationToken);
        var returned = new SlicesReturned
        {
            JobId = slices.JobId,
            Slices = slices.Slices.Count,
            Seconds = result.Items?.Sum(item => item.Duration) ?? result.Duration,
        };
        // Not waited for: the outcomes are stored, and the engine's sweep finds the job's next slices without this report.
        _ = ReportAsync(slices.ReportTo, returned);
    }

    private async Task ReportAsync(Uri scheduler, SlicesReturned returned)
    {
        try
        {
            var endpoint = await endpoints.GetSendEndpoint(scheduler);
            await SendDeadline.RunAsync(deadline => endpoint.Send<SlicesReturned>(returned, EndpointConventions.Transient, deadline), CancellationToken.None);
        }
        catch (Exception error)
        {
            LogReportFailed(logger, returned.JobId, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report the stored slices of job {JobId}")]
    private static partial void LogReportFailed(ILogger logger, string jobId, Exception exception);
}
