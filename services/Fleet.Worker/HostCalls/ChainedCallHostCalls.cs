using System.Data.Common;
using System.Text.Json;
using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Blobs;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using Fleet.Worker.Runtimes.Protocol;
using MassTransit;

namespace Fleet.Worker.HostCalls;

/// <summary>
/// Answers <c>invoke {function?, input?, entry?}</c>: runs a function of the caller's namespace (the caller's own when
/// <c>function</c> is absent), at <c>entry</c> when given (<see cref="InvokeFunction.Entry"/>), through the scheduler, like any
/// sync call (its <see cref="InvokeFunction.ParentCallId"/> the caller's id), and answers with its outcome once it
/// completes: <c>{status, output, returnCode, error}</c>, the output as JSON for a json-handler child and base64
/// (<c>"outputEncoding": "base64"</c>) for a bytes-handler one, whose input is base64 too. The caller gives its slot
/// back while it waits (<see cref="CallCapacity"/>). Chains are at most <see cref="MaxDepth"/> calls deep. A child that
/// ran and failed is an outcome; a call that could not be made (bad fields, no such function, no answer) a failed reply.
/// </summary>
internal sealed partial class ChainedCallHostCalls(
    InvokeFunction parent, CallCapacity capacity, IFleetStore store, PayloadBlobs payloads, StoreOptions storeOptions,
    IRequestClient<InvokeFunction> scheduler, TimeProvider time, IHostCallHandler next, ILogger logger) : IHostCallHandler
{
    public const string Call = "invoke";

    /// <summary>A client's call is depth 0; a call at this depth may not make another.</summary>
    public const int MaxDepth = 8;

    /// <summary>How long past the child's own timeout its answer may take: placement and a cold start.</summary>
    private const int QueueWaitSeconds = 30;

    public async ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Call != Call)
        {
            return await next.HandleAsync(request, cancellationToken);
        }

        if (parent.ChainDepth >= MaxDepth)
        {
            return HostReply.Failed($"invoke: calls may be chained at most {MaxDepth} deep");
        }

        if ((OptionalText(request.Frame, "function", out var given) ?? (given?.Length > 256 ? "function has at most 256 characters" : null)) is { } badName)
        {
            return HostReply.Failed($"invoke: {badName}");
        }

        var name = given ?? parent.Function.Name;
        if ((OptionalText(request.Frame, "entry", out var entry) ?? (entry is null ? null : EntryNames.Problem(entry))) is { } badEntry)
        {
            return HostReply.Failed($"invoke: {badEntry}");
        }

        FunctionSpec? function;
        try
        {
            function = await store.Functions.GetAsync(parent.Function.Namespace, name, cancellationToken);
        }
        catch (Exception error) when (error is DbException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, parent.RequestId, error);
            return HostReply.Failed("invoke: the function store is not available, try again later");
        }

        if (function is null)
        {
            return HostReply.Failed($"invoke: no function {name}");
        }

        if (Input(request.Frame, function.Convention) is not { } input)
        {
            return HostReply.Failed("invoke: input of a bytes-handler function must be a base64 string");
        }

        var child = new InvokeFunction
        {
            RequestId = Guid.CreateVersion7().ToString("N"),
            Function = function,
            Input = input,
            Entry = entry,
            Priority = parent.Priority,
            ParentCallId = parent.RequestId,
            ChainDepth = parent.ChainDepth + 1,
            ReceivedAt = time.GetUtcNow(),
        };
        try
        {
            child = child with { Input = await payloads.SpillAsync(input, child.ReceivedAt + storeOptions.RetentionOf(child), cancellationToken) };
            var result = await capacity.WhileWaitingAsync(() => RunAsync(child, cancellationToken), cancellationToken);
            return OutcomeOf(result, await payloads.ResolveAsync(result.Output, cancellationToken), function.Convention);
        }
        catch (Exception error) when (error is RequestTimeoutException or RequestFaultException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, parent.RequestId, error);
            return HostReply.Failed(error is RequestTimeoutException ? "invoke: no answer from the fleet in time" : "invoke: the call could not be run");
        }
        catch (Exception error) when (error is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, parent.RequestId, error);
            return HostReply.Failed("invoke: the blob store is not available, try again later");
        }
    }

    private async Task<InvocationResult> RunAsync(InvokeFunction child, CancellationToken cancellationToken)
    {
        var timeout = RequestTimeout.After(s: child.Function.TimeoutSeconds + QueueWaitSeconds);
        var response = await scheduler.GetResponse<InvocationResult>(
            child, request => request.UseExecute(send => EndpointConventions.StampCall(send, async: false, child.Priority)), cancellationToken, timeout);
        return response.Message;
    }

    /// <summary>A non-empty string that may be absent (or null): <paramref name="text"/> is null then.</summary>
    private static string? OptionalText(JsonElement frame, string field, out string? text)
    {
        text = null;
        if (!frame.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var problem = HostFields.Text(frame, field, out var given);
        text = given;
        return problem;
    }

    /// <summary>The child's input: JSON params as given ({} when absent), or the bytes of a base64 string; null when it is not one.</summary>
    private static Payload? Input(JsonElement frame, string convention)
    {
        var given = frame.TryGetProperty("input", out var field) && field.ValueKind != JsonValueKind.Null;
        if (!CallConventions.TakesBytes(convention))
        {
            return Payload.OfJson(given ? field.GetRawText() : "{}");
        }

        if (!given)
        {
            return Payload.OfBytes([]);
        }

        return field.ValueKind == JsonValueKind.String && field.TryGetBytesFromBase64(out var bytes) ? Payload.OfBytes(bytes) : null;
    }

    /// <summary>The reply to the caller; <paramref name="output"/> is the child's, read back from the store when it was a blob (null: gone).</summary>
    private static HostReply OutcomeOf(InvocationResult result, Payload? output, string convention) =>
        HostValues.Of(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(result.Status.ToString()));
            writer.WriteNumber("returnCode", result.ReturnCode);
            writer.WriteString("error", result.Error ?? "");
            writer.WritePropertyName("output");
            if (CallConventions.TakesBytes(convention))
            {
                writer.WriteBase64StringValue(output?.Bytes ?? []);
                writer.WriteString("outputEncoding", "base64");
            }
            else if (output?.Json is { Length: > 0 } json && JsonText.IsValue(json))
            {
                writer.WriteRawValue(json);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host call invoke of {RequestId} failed")]
    private static partial void LogFailed(ILogger logger, string requestId, Exception exception);
}
