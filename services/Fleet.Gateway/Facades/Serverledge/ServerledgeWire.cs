using System.Text.Encodings.Web;
using Fleet.Core;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>How Serverledge's server reads requests and writes replies (Echo: JSON or plain text, UTF-8).</summary>
internal static class ServerledgeWire
{
    private const string JsonType = "application/json; charset=UTF-8";
    private const string TextType = "text/plain; charset=UTF-8";

    /// <summary>Writes JSON as Go's encoder does: quotes in strings as \", not \u0022; a trailing newline as Echo adds.</summary>
    private static readonly ServerledgeJsonContext Writer = new(new JsonSerializerOptions(ServerledgeJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The value as UTF-8 JSON and Echo's newline; a large result is encoded once, straight into the reply's bytes.</summary>
    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        new JsonReply(JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)Writer.GetTypeInfo(typeof(T))!), JsonType, status);

    public static IResult Text(int status, string body = "") => Results.Text(body, TextType, null, status);

    /// <summary>An empty body gives every field its zero value; malformed JSON or a wrong type is a 400; too large a body a 413.</summary>
    public static async Task<(T? Request, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : new()
    {
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's body size limit (413) and malformed framing.
            return (default, Text(ex.StatusCode, ex.Message));
        }

        if (body.Length == 0 || body.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return (new T(), null);
        }

        try
        {
            return (JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), type) ?? new T(), null);
        }
        catch (JsonException ex)
        {
            return (default, BadRequest(ex.Message));
        }
    }

    /// <summary>
    /// The Serverledge group's mapping of <see cref="CoreUnavailableException"/>: 503 with the reason, so a store or
    /// broker outage never surfaces as an unhandled 500. Routes with an answer of upstream's own catch it first.
    /// </summary>
    public static async ValueTask<object?> MapCoreUnavailable(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (CoreUnavailableException unavailable)
        {
            return Text(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
        }
    }

    public static IResult BadRequest(string reason) =>
        Json(new Dictionary<string, string> { ["message"] = $"Bad Request: {reason}" }, StatusCodes.Status400BadRequest);
}
