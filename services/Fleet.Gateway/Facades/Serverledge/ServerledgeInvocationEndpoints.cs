using System.Text.Json;
using Fleet.Contracts;
using Fleet.Core;
using Fleet.Core.Fleet;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Serverledge.ServerledgeWire;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>Serverledge's invocation routes: /invoke/{fun}, /poll/{reqId}, /status.</summary>
internal static class ServerledgeInvocationEndpoints
{
    public static IEndpointRouteBuilder MapServerledgeInvocations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/invoke/{fun}", InvokeAsync);
        routes.MapGet("/poll/{reqId}", PollAsync);
        routes.MapGet("/status", StatusAsync);
        return routes;
    }

    private static async Task<IResult> InvokeAsync(
        string fun, HttpRequest http, FunctionRegistry registry, Invoker invoker, ServerledgeRequestIds ids, IOptions<ServerledgeOptions> options,
        CancellationToken cancellationToken)
    {
        var receivedAt = invoker.Now;
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? long.MaxValue, options.Value.MaxInvokeBodyBytes);
        }

        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.InvokeRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (request!.Params.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return BadRequest("Params must be an object");
        }

        var function = await registry.FindAsync(new FunctionRef(FunctionNamespaces.Serverledge, fun), cancellationToken);
        if (function is null)
        {
            return Text(StatusCodes.Status404NotFound, "Function unknown");
        }

        var call = new CallRequest
        {
            Id = ids.Next(function.Name),
            Function = function,
            Input = Payload.OfJson(request.Params.ValueKind == JsonValueKind.Object ? request.Params.GetRawText() : "{}"),
            CaptureOutput = request.ReturnOutput,
            Priority = request.QoSClass,
            Deadline = request.QoSMaxRespT > 0 ? receivedAt.AddSeconds(request.QoSMaxRespT) : null,
            ReceivedAt = receivedAt,
        };

        if (request.Async)
        {
            return Json(new Dictionary<string, string> { ["ReqId"] = await invoker.SubmitAsync(call, cancellationToken) });
        }

        var outcome = await invoker.RunAsync(call, cancellationToken);
        return outcome.Status switch
        {
            InvocationStatus.Succeeded => Json(InvocationResponse.From(outcome)),
            InvocationStatus.Refused => Text(StatusCodes.Status429TooManyRequests),

            // Upstream's body is empty; the reason helps whoever reads it and disturbs no client that does not.
            _ => Text(StatusCodes.Status500InternalServerError, outcome.Error),
        };
    }

    private static async Task<IResult> PollAsync(string reqId, Invoker invoker, CancellationToken cancellationToken)
    {
        CallStatus state;
        try
        {
            state = await invoker.GetAsync(reqId, cancellationToken);
        }
        catch (CoreUnavailableException)
        {
            return Text(StatusCodes.Status500InternalServerError, "Could not retrieve results");
        }

        // Upstream answers 404 until the outcome is there, whether the call is queued, running, unknown or expired.
        return state.Outcome is { } outcome
            ? Json(InvocationResponse.From(outcome))
            : Text(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> StatusAsync(HttpRequest http, FleetControl fleet, CancellationToken cancellationToken)
    {
        var status = await fleet.StatusAsync(cancellationToken);
        var response = new StatusResponse(
            $"{http.Scheme}://{http.Host}", status.IdleWarmIn(FunctionNamespaces.Serverledge), status.AvailableMemMB, status.AvailableCpus, status.DropCount, Coordinates.Origin);
        return Json(response);
    }
}
