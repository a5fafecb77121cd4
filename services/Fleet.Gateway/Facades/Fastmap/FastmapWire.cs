using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fleet.Core;
using Fleet.Core.Access;
using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// How Fastmap's client 0.0.6 talks: msgpack bodies (the request's without a Content-Type), a status in
/// <c>X-Status</c> on every reply, a Content-Type of exactly <c>application/msgpack</c> or
/// <c>application/octet-stream</c> (the client compares strings), the octet-stream ones HMAC-signed. Requests are
/// checked in the spec's order: size (413), bearer (401), signature over the exact body (403), msgpack (400).
/// </summary>
internal static class FastmapWire
{
    public const string Realm = "fastmap";

    private const string MsgpackType = "application/msgpack";
    private const string BinaryType = "application/octet-stream";

    private static readonly Dictionary<string, object?> Empty = [];

    /// <summary>A msgpack reply with its status; the body a map of string keys (empty when none).</summary>
    public static IResult Reply(string status, IReadOnlyDictionary<string, object?>? body = null, int http = StatusCodes.Status200OK, string? warning = null) =>
        new WireReply(http, status, MsgpackType, Msgpack.Write(body ?? Empty), null, warning);

    public static IResult Error(int http, string status, string message) => Reply(status, new Dictionary<string, object?> { ["error"] = message }, http);

    /// <summary>A processed batch: the executor's bytes as they are, signed, with the headers the client reads.</summary>
    public static IResult Batch(byte[] body, ApiKey key, IReadOnlyDictionary<string, string> headers, string? warning) =>
        new WireReply(StatusCodes.Status200OK, "BATCH_PROCESSED", BinaryType, body, new Dictionary<string, string>(headers) { ["X-Content-Signature"] = Sign(key.SigningKey, body) }, warning);

    public static string Seconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="body"/> under the key's ASCII bytes.</summary>
    public static string Sign(byte[] signingKey, ReadOnlySpan<byte> body) => Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, body));

    /// <summary>Store or broker outages: the client shows the status and the reason.</summary>
    public static async ValueTask<object?> Unavailable(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (CoreUnavailableException unavailable)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE", $"Fleet is unavailable: {unavailable.Message}");
        }
    }

    /// <summary>The request's tenant key and its msgpack map, or the reply that refuses it.</summary>
    public static async Task<SignedRequest> ReadAsync(HttpRequest http, ApiKeys keys, long maxBodyBytes, CancellationToken cancellationToken)
    {
        var read = await RequestBodies.ReadAsync(http, maxBodyBytes, cancellationToken);
        if (read.Bytes is not { } body)
        {
            var tooLarge = read.FailureStatus == StatusCodes.Status413PayloadTooLarge;
            return SignedRequest.Refused(Error(read.FailureStatus, tooLarge ? "TOO_LARGE" : "BAD_REQUEST", read.Failure));
        }

        var authorization = http.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization.Length > 7
            ? await keys.FindAsync(Realm, authorization[7..].Trim(), cancellationToken)
            : null;
        if (key is null)
        {
            return SignedRequest.Refused(Reply("UNAUTHORIZED", http: StatusCodes.Status401Unauthorized));
        }

        if (!SignatureMatches(key, http.Headers["X-Content-Signature"].ToString(), body))
        {
            return SignedRequest.Refused(Reply("INVALID_SIGNATURE", http: StatusCodes.Status403Forbidden));
        }

        if (ClientVersionProblem(http.Headers["X-Client-Version"].ToString()) is { } version)
        {
            return SignedRequest.Refused(Reply("DISCONTINUED", new Dictionary<string, object?> { ["reason"] = version }, StatusCodes.Status410Gone));
        }

        try
        {
            return Msgpack.Read(body) is Dictionary<string, object?> fields
                ? new SignedRequest(key, fields, null)
                : SignedRequest.Refused(Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "the body is not a msgpack map"));
        }
        catch (MalformedMsgpackException malformed)
        {
            return SignedRequest.Refused(Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"the body is not valid msgpack: {malformed.Message}"));
        }
    }

    private static bool SignatureMatches(ApiKey key, string signature, byte[] body)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        return Convert.FromHexString(signature, given, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            && CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(key.SigningKey, body));
    }

    /// <summary>Fleet speaks the map protocol of clients 0.0.5 to 0.0.7; a client that names another version is told so.</summary>
    private static string? ClientVersionProblem(string version) =>
        version.Length == 0 || version is "0.0.5" or "0.0.6" or "0.0.7"
            ? null
            : $"Fleet speaks the protocol of fastmap 0.0.5 to 0.0.7, not {version[..Math.Min(version.Length, 32)]}";

    private sealed class WireReply(int http, string status, string contentType, byte[] body, IReadOnlyDictionary<string, string>? headers, string? warning) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = http;
            response.Headers["X-Status"] = status;
            // Set as is: the client compares the whole header with its two types.
            response.Headers.ContentType = contentType;
            if (warning is not null)
            {
                // Header values must be visible ASCII: anything else in a module's name becomes '?'.
                response.Headers["X-Server-Warning"] = string.Concat(warning.Select(c => c is >= ' ' and <= '~' ? c : '?'));
            }

            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body).AsTask();
        }
    }
}

/// <summary>A verified request (its key and fields), or the reply that refuses it.</summary>
internal sealed record SignedRequest(ApiKey? Key, Dictionary<string, object?>? Fields, IResult? Refusal)
{
    public static SignedRequest Refused(IResult reply) => new(null, null, reply);

    public string? Text(string field) => Fields!.GetValueOrDefault(field) as string;

    public byte[]? Bytes(string field) => Fields!.GetValueOrDefault(field) as byte[];

    public long? Number(string field) => Fields!.GetValueOrDefault(field) as long?;
}
