using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Faasm.FaasmWire;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// Faasm's invoke server, generation 2 of its replies (faabric's endpoint of 2020-09 to 2023-06): one JSON message per
/// request, a sync call answered with its output, an async one with a bare integer id, a status poll with
/// <c>RUNNING</c>, <c>SUCCESS: …</c> or <c>FAILED: …</c>. Polls are idempotent, and an unknown id is an error, not
/// RUNNING forever.
/// </summary>
internal static class FaasmInvokeEndpoints
{
    public static void MapFaasmInvocations(this RouteGroupBuilder routes) => routes.MapPost("/", InvokeAsync);

    private static async Task<IResult> InvokeAsync(
        HttpRequest http, FunctionRegistry registry, Invoker invoker, IOptions<FaasmOptions> options, CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Length == 0)
        {
            return Text("Empty request", StatusCodes.Status400BadRequest);
        }

        if (FaasmMessage.Parse(body) is not { } message)
        {
            return Text("Bad JSON in request body", StatusCodes.Status400BadRequest);
        }

        if (message.Status)
        {
            return await StatusAsync(message.Id, invoker, cancellationToken);
        }

        if (message.Type == 3 || message.Flush)
        {
            // Warm instances and cached code go by themselves; uploaded functions and state stay, as upstream's flush.
            return Text("Flush sent");
        }

        var problem = message.Type != 0 ? "Unsupported message type"
            : message.User.Length == 0 ? "Empty user"
            : message.Function.Length == 0 ? "Empty function"
            : message.Mpi ? "MPI not supported"
            : null;
        if (problem is not null)
        {
            return Text(problem, StatusCodes.Status400BadRequest);
        }

        var (user, name) = message.Target;
        if (await registry.FindAsync(FaasmFunctions.Ref(user, name), cancellationToken) is not { } function)
        {
            // Upstream runs the call, which fails: an async one gets its id, and its poll reads FAILED.
            var missing = $"Function {user}/{name} not found";
            if (!message.Async)
            {
                return Text($"{missing}\n", StatusCodes.Status500InternalServerError);
            }

            var failedId = await NewIdAsync(invoker, cancellationToken);
            await invoker.FailAsync(failedId, $"{user}/{name}", missing, options.Value.ResultRetentionSeconds, cancellationToken);
            return Text(failedId);
        }

        var call = new CallRequest
        {
            Function = function,
            Input = Payload.OfBytes(message.Input),
            Entry = message.PyEntry.Length > 0 ? message.PyEntry : null,
            CaptureOutput = options.Value.CaptureStdout,
            ReceivedAt = invoker.Now,
        };
        if (message.Async)
        {
            var id = await invoker.SubmitAsync(
                call with { Id = await NewIdAsync(invoker, cancellationToken), Record = true, RetentionSeconds = options.Value.ResultRetentionSeconds },
                cancellationToken);
            return Text(id);
        }

        var outcome = await invoker.RunAsync(call, cancellationToken);
        ReportStart(http.HttpContext.Response, outcome);
        if (outcome.Status == InvocationStatus.TimedOut)
        {
            return Text("No response from function\n", StatusCodes.Status500InternalServerError);
        }

        return Bytes([.. Output(outcome), (byte)'\n'], Succeeded(outcome) ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
    }

    private static async Task<IResult> StatusAsync(long id, Invoker invoker, CancellationToken cancellationToken)
    {
        var status = await invoker.GetAsync(id.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return status switch
        {
            { State: CallState.Completed, Outcome: { } outcome } when Succeeded(outcome) => Bytes([.. "SUCCESS: "u8, .. Output(outcome)]),
            { State: CallState.Completed, Outcome: { } outcome } => Bytes([.. "FAILED: "u8, .. Output(outcome)], StatusCodes.Status500InternalServerError),
            { State: CallState.Queued or CallState.Running } => Text("RUNNING"),
            _ => Text($"FAILED: Unknown call id {id}", StatusCodes.Status404NotFound),
        };
    }

    /// <summary>
    /// Fleet's own headers on a sync reply, which Faasm's clients do not read: whether the call found a warm instance,
    /// and how long starting one took (seconds, as Serverledge's InitTime), for benchmarks and diagnosis.
    /// </summary>
    private static void ReportStart(HttpResponse response, CallOutcome outcome)
    {
        response.Headers["X-Fleet-Warm-Start"] = outcome.IsWarmStart ? "true" : "false";
        response.Headers["X-Fleet-Init-Time"] = outcome.InitTime.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Return value 0 is success; a call that did not run to its end is a failure.</summary>
    private static bool Succeeded(CallOutcome outcome) => outcome.Status == InvocationStatus.Succeeded && outcome.ReturnCode == 0;

    /// <summary>What the function wrote (after its stdout when captured), or why it did not run when it wrote nothing.</summary>
    private static byte[] Output(CallOutcome outcome)
    {
        var output = outcome.Output.Bytes ?? [];
        if (output.Length == 0 && outcome.Status != InvocationStatus.Succeeded)
        {
            output = Encoding.UTF8.GetBytes(outcome.Error);
        }

        return outcome.Stdout.Length > 0 ? [.. Encoding.UTF8.GetBytes(outcome.Stdout), .. output] : output;
    }

    /// <summary>A positive 32-bit id (clients do int(id)), not held by a call still kept.</summary>
    private static async Task<string> NewIdAsync(Invoker invoker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue).ToString(CultureInfo.InvariantCulture);
            if ((await invoker.GetAsync(id, cancellationToken)).State == CallState.Unknown)
            {
                return id;
            }
        }
    }
}
