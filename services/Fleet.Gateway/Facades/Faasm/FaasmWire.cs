using Fleet.Core;
using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>How Faasm's servers reply: plain text (or raw bytes) for everything, with the CORS headers on every reply.</summary>
internal static class FaasmWire
{
    private const string TextType = "text/plain";

    public static IResult Text(string body, int status = StatusCodes.Status200OK) => Results.Text(body, TextType, null, status);

    public static IResult Bytes(byte[] body, int status = StatusCodes.Status200OK) => new BytesReply(body, status);

    /// <summary>The CORS headers upstream sends on every reply; a store or broker outage answered 503 with the reason.</summary>
    public static async ValueTask<object?> Headers(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowMethods = "GET,POST,PUT,OPTIONS";
        headers.AccessControlAllowHeaders = "User-Agent,Content-Type";
        try
        {
            return await next(context);
        }
        catch (CoreUnavailableException unavailable)
        {
            return Text($"Fleet is unavailable: {unavailable.Message}\n", StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The whole body (within the limit the listener gate gave Kestrel); null with the error to answer when it is too large or malformed.</summary>
    public static async Task<(byte[]? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadAsync(request, long.MaxValue, cancellationToken);
        return (body.Bytes, body.Bytes is null ? Text(body.Failure, body.FailureStatus) : null);
    }

    private sealed class BytesReply(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = TextType;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
