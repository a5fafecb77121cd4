using System.Text.Json;
using Fleet.Contracts;
using Fleet.Gateway.Functions;
using Fleet.Gateway.Invocations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Serverledge.ServerledgeWire;

namespace Fleet.Gateway.Serverledge;

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
        string fun, HttpRequest http, FunctionCatalog catalog, Invoker invoker, RequestIds ids, IOptions<GatewayOptions> options,
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

        var function = await catalog.FindAsync(FunctionNamespaces.Serverledge, fun, cancellationToken);
        if (function is null)
        {
            return Text(StatusCodes.Status404NotFound, "Function unknown");
        }

        var call = new InvokeFunction
        {
            RequestId = ids.Next(function.Name),
            Function = function,
            ParamsJson = request.Params.ValueKind == JsonValueKind.Object ? request.Params.GetRawText() : "{}",
            ReturnOutput = request.ReturnOutput,
            QosClass = request.QoSClass is >= 0 and <= 2 ? request.QoSClass : 0,
            Deadline = request.QoSMaxRespT > 0 ? receivedAt.AddSeconds(request.QoSMaxRespT) : null,
            Async = request.Async,
            ReceivedAt = receivedAt,
        };

        if (call.Async)
        {
            await invoker.SubmitAsync(call, cancellationToken);
            return Json(new Dictionary<string, string> { ["ReqId"] = call.RequestId });
        }

        var result = await invoker.RunAsync(call, cancellationToken);
        return result.Status switch
        {
            InvocationStatus.Succeeded => Json(InvocationResponse.From(result)),
            InvocationStatus.Refused => Text(StatusCodes.Status429TooManyRequests),

            // Upstream's body is empty; the reason helps whoever reads it and disturbs no client that does not.
            _ => Text(StatusCodes.Status500InternalServerError, result.Error),
        };
    }

    private static async Task<IResult> PollAsync(string reqId, Invoker invoker, CancellationToken cancellationToken)
    {
        InvocationResult? result;
        try
        {
            result = await invoker.PollAsync(reqId, cancellationToken);
        }
        catch (CoreUnavailableException)
        {
            return Text(StatusCodes.Status500InternalServerError, "Could not retrieve results");
        }

        return result is null
            ? Text(StatusCodes.Status404NotFound)
            : Json(InvocationResponse.From(result));
    }

    private static async Task<IResult> StatusAsync(HttpRequest http, FleetControl fleet, CancellationToken cancellationToken)
    {
        var status = await fleet.StatusAsync(cancellationToken);
        var response = new StatusResponse(
            $"{http.Scheme}://{http.Host}", status.IdleWarm, status.AvailableMemMB, status.AvailableCpus, status.DropCount, Coordinates.Origin);
        return Json(response);
    }
}
