using Fleet.Contracts;
using Fleet.Core.Access;
using Fleet.Core.Invocations;
using static Fleet.Gateway.Facades.Fastmap.FastmapWire;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// A batch's call outcome as Fastmap's reply. The executor answers every batch it ran with a msgpack map whose
/// <c>status</c> is the reply's (<see cref="CallConventions.FastmapMap"/>); a call that did not run to that answer
/// (timed out, its instance lost) is a <c>PROCESS_ERROR</c> saying why, and one the fleet had no room for is
/// <c>INITALIZING</c>, which the client sends again 5 s later, so no batch is lost to a busy fleet.
/// </summary>
internal static class FastmapBatches
{
    private const string ProcessError = "PROCESS_ERROR";

    public static IResult Reply(CallOutcome outcome, FunctionSpec function, ApiKey key, double applicationSeconds)
    {
        switch (outcome.Status)
        {
            case InvocationStatus.Refused:
                return FastmapEndpoints.Initializing($"waiting for room in the fleet: {outcome.Error}");
            case InvocationStatus.TimedOut:
                return Failure($"TimeoutError('the batch ran past the function\\'s timeout of {function.TimeoutSeconds} s')");
            case not InvocationStatus.Succeeded:
                return Failure($"RuntimeError('the batch could not be run: {outcome.Error.Replace("'", "\\'", StringComparison.Ordinal)}')");
        }

        Dictionary<string, object?> answer;
        try
        {
            answer = Msgpack.Read(outcome.Output.Bytes ?? []) as Dictionary<string, object?> ?? throw new MalformedMsgpackException("not a map");
        }
        catch (MalformedMsgpackException)
        {
            return Failure("RuntimeError('the worker sent an unreadable answer')");
        }

        var warning = answer.GetValueOrDefault("warning") as string;
        switch (answer.GetValueOrDefault("status") as string)
        {
            case "BATCH_PROCESSED" when answer.GetValueOrDefault("results") is byte[] results:
                var mapSeconds = answer.GetValueOrDefault("map_seconds") is double seconds ? Math.Min(seconds, applicationSeconds) : 0;
                return Batch(results, key, new Dictionary<string, string>
                {
                    ["X-Service-Id"] = outcome.WorkerId is { Length: > 0 } worker ? $"fleet-{worker}" : "fleet",
                    ["X-Application-Seconds"] = Seconds(applicationSeconds),
                    ["X-Map-Seconds"] = Seconds(mapSeconds),
                    ["X-Credits"] = "0",
                }, warning);
            case "PROCESS_ERROR":
                return FastmapWire.Reply(ProcessError, new Dictionary<string, object?>
                {
                    ["exception"] = answer.GetValueOrDefault("exception") as string ?? "",
                    // The client turns %0A back into newlines.
                    ["traceback"] = (answer.GetValueOrDefault("traceback") as string ?? "").Replace("\n", "%0A", StringComparison.Ordinal),
                    ["bad_modules"] = answer.GetValueOrDefault("bad_modules") is List<object?> bad ? bad.OfType<string>().ToList() : new List<string>(),
                }, warning: warning);
            case "INITIALIZATION_ERROR":
                return FastmapWire.Reply("INITIALIZATION_ERROR", new Dictionary<string, object?>
                {
                    ["init_error"] = answer.GetValueOrDefault("init_error") as string ?? "",
                    ["init_tb"] = answer.GetValueOrDefault("init_tb") as string ?? "",
                }, warning: warning);
            default:
                return Failure("RuntimeError('the worker sent an unreadable answer')");
        }
    }

    private static IResult Failure(string exception) =>
        FastmapWire.Reply(ProcessError, new Dictionary<string, object?> { ["exception"] = exception, ["traceback"] = "" });
}
