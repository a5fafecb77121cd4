using System.Text.Json;
using Fleet.Core;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// How dcp-rest answers (spec §1): JSON in <c>application/json; charset=utf-8</c>, CORS open to every origin (a
/// preflight is 204 before any authentication), and errors as Fleet does them where upstream answered 500: 400
/// <c>{"error":"Bad Request","messages":[…]}</c>, 401/404/409/413 <c>{"error":"…"}</c>, 503 when the store is away.
/// </summary>
internal static class DcpWire
{
    public const string JobNotFound = "Job not found";

    private const string JsonType = "application/json; charset=utf-8";

    /// <summary>A JSON reply written by <paramref name="write"/>.</summary>
    public static IResult Json(int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new JsonReply(buffer.ToArray(), status);
    }

    public static IResult Error(int status, string message) => Json(status, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    });

    public static IResult BadRequest(string message) => Json(StatusCodes.Status400BadRequest, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", "Bad Request");
        writer.WriteStartArray("messages");
        writer.WriteStringValue(message);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static IResult NotFound() => Error(StatusCodes.Status404NotFound, JobNotFound);

    /// <summary>The head of the facade's group: CORS on every reply, and store outages as 503.</summary>
    public static async ValueTask<object?> Cors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
        try
        {
            return await next(context);
        }
        catch (CoreUnavailableException unavailable)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"Fleet is unavailable: {unavailable.Message}");
        }
    }

    /// <summary>A preflight: every method dcp-rest's CORS allows, and the headers the browser asked for.</summary>
    public static IResult Preflight(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.AccessControlAllowMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";
        var asked = http.Request.Headers.AccessControlRequestHeaders.ToString();
        headers.AccessControlAllowHeaders = asked.Length > 0 ? asked : "Authorization,Content-Type";
        headers.Vary = "Access-Control-Request-Headers";
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>The caller's identity (<c>0x</c> + 40 lower-case hex), set by the authentication filter.</summary>
    public static string Identity(HttpContext http) => (string)http.Items[IdentityKey]!;

    /// <summary>Authenticates every request of the group it heads (dcp-rest's Basic keystores, Fleet's Bearer keys) or answers 401.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Authenticated(DcpCredentials credentials) =>
        async (context, next) =>
        {
            var http = context.HttpContext;
            var result = await credentials.AuthenticateAsync(http.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null, http.RequestAborted);
            if (!result.Succeeded)
            {
                return Error(StatusCodes.Status401Unauthorized, result.ErrorMessage!);
            }

            http.Items[IdentityKey] = result.Identity;
            return await next(context);
        };

    private const string IdentityKey = "dcp.identity";

    private sealed class JsonReply(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = JsonType;
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
