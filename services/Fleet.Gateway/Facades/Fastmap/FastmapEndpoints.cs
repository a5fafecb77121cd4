using System.Diagnostics;
using System.Security.Cryptography;
using Fleet.Contracts;
using Fleet.Core;
using Fleet.Core.Access;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Fleet.Core.Uploads;
using Fleet.Gateway.Hosting;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Fastmap.FastmapWire;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// Fastmap's cloud API as client 0.0.6 speaks it (<c>/api/v1/auth</c>, <c>init</c>, <c>map</c>, <c>done</c>), and
/// <c>/api/v1/secret</c>, which issues the secrets (Fastmap's own service issued them on its website).
/// </summary>
internal static class FastmapEndpoints
{
    private const string NotFound = "NOT_FOUND";

    public static void MapFastmapRoutes(this RouteGroupBuilder routes)
    {
        routes.MapPost("/api/v1/secret", IssueSecretAsync);
        routes.MapPost("/api/v1/auth", AuthAsync);
        routes.MapPost("/api/v1/init", InitAsync);
        routes.MapPost("/api/v1/map", MapAsync);
        routes.MapPost("/api/v1/done", DoneAsync);
        routes.MapMethods("/api/v1/{**rest}", [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch, HttpMethods.Head],
            () => Reply("METHOD_NOT_ALLOWED", http: StatusCodes.Status405MethodNotAllowed));
        // Every reply has an X-Status, an unknown path's too.
        routes.MapPost("/api/v1/{**rest}", () => Reply(NotFound, http: StatusCodes.Status404NotFound));
    }

    /// <summary>A new tenant's secret: 64 lower-case hex digits, the bearer token then the signing key.</summary>
    private static async Task<IResult> IssueSecretAsync(HttpContext http, ApiKeys keys, IOptions<FastmapOptions> options, CancellationToken cancellationToken)
    {
        if (!AdminAccess.IsAllowed(http, options.Value.AdminToken))
        {
            return Reply("UNAUTHORIZED", http: StatusCodes.Status401Unauthorized);
        }

        var issued = await keys.IssueAsync(Realm, cancellationToken);
        return Results.Json(new Dictionary<string, string> { ["secret"] = issued.Token + issued.SigningKey },
            FastmapJsonContext.Default.DictionaryStringString, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> AuthAsync(HttpRequest http, ApiKeys keys, IOptions<FastmapOptions> options, CancellationToken cancellationToken)
    {
        var request = await ReadAsync(http, keys, options.Value.MaxBodyBytes, cancellationToken);
        return request.Refusal ?? Reply("AUTHORIZED");
    }

    /// <summary>The probe (no <c>func</c>): is the payload here? Else one part of its upload, strictly in order.</summary>
    private static async Task<IResult> InitAsync(
        HttpRequest http, ApiKeys keys, ChunkedUploads uploads, FunctionRegistry registry, FastmapRuns runs, IOptions<FastmapOptions> options,
        CancellationToken cancellationToken)
    {
        var request = await ReadAsync(http, keys, options.Value.MaxBodyBytes, cancellationToken);
        if (request.Refusal is not null)
        {
            return request.Refusal;
        }

        var tenant = request.Key!.Tenant;
        if (FuncHash(request) is not { } funcHash)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "func_hash must be a string of hex digits");
        }

        if (!request.Fields!.ContainsKey("func"))
        {
            return Reply(await registry.FindAsync(FastmapFunctions.Ref(tenant, funcHash), cancellationToken) is null ? NotFound : "FOUND");
        }

        if (request.Bytes("func") is not { } part || request.Fields.TryGetValue("payload_part", out var p) && p is not long
            || request.Fields.TryGetValue("payload_len", out var n) && n is not long)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "func must be bytes, payload_part and payload_len integers");
        }

        var limits = options.Value;
        var step = await uploads.AddPartAsync(Realm, $"{tenant}/{funcHash}", (int)Math.Clamp(request.Number("payload_part") ?? 0, -1, int.MaxValue),
            (int)Math.Clamp(request.Number("payload_len") ?? 1, 0, int.MaxValue), part, limits.MaxPayloadBytes,
            TimeSpan.FromSeconds(limits.UploadTimeToLiveSeconds), cancellationToken);
        if (step.Joined is not { } joined)
        {
            return step.Problem is null ? Reply("UPLOADED")
                : step.IsTooLarge ? Error(StatusCodes.Status413PayloadTooLarge, "TOO_LARGE", step.Problem)
                : Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", step.Problem);
        }

        var payload = FastmapPayload.Decode(joined, limits.MaxPayloadBytes, out var problem, out var tooLarge);
        if (payload is null)
        {
            return tooLarge ? Error(StatusCodes.Status413PayloadTooLarge, "TOO_LARGE", problem!) : Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem!);
        }

        // The client hashes the gzipped payload; the API page says the dill bytes: either is the payload's.
        if (HashPrefix(joined) != funcHash && HashPrefix(payload.Function) != funcHash)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"the uploaded payload does not hash to func_hash {funcHash}");
        }

        var registration = await registry.RegisterAsync(
            FastmapFunctions.Registration(tenant, funcHash, payload, FastmapFunctions.PythonVersion(http.Headers["X-Python-Version"]), limits),
            cancellationToken, replace: true);
        if (registration.Created is not { } spec)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"the function could not be registered: {registration.Reason}");
        }

        await runs.RegisteredAsync(tenant, funcHash, spec, cancellationToken);
        return Reply("UPLOADED");
    }

    /// <summary>One batch, one call: the executor maps the function over it on one warm instance.</summary>
    private static async Task<IResult> MapAsync(
        HttpRequest http, ApiKeys keys, FunctionRegistry registry, Invoker invoker, FastmapRuns runs, IOptions<FastmapOptions> options,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var receivedAt = invoker.Now;
        var request = await ReadAsync(http, keys, options.Value.MaxBodyBytes, cancellationToken);
        if (request.Refusal is not null)
        {
            return request.Refusal;
        }

        if (FuncHash(request) is not { } funcHash || request.Bytes("batch") is not { } batch || RunId(request) is not { } runId)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "a map needs func_hash, batch (bytes) and run_id");
        }

        try
        {
            return await RunBatchAsync(request.Key!, funcHash, batch, runId, receivedAt, started, registry, invoker, runs, cancellationToken);
        }
        catch (CoreUnavailableException unavailable)
        {
            // The client gives up on a batch answered with an error, and sends it again on INITALIZING.
            return Initializing($"waiting for the fleet: {unavailable.Message}");
        }
    }

    private static async Task<IResult> RunBatchAsync(
        ApiKey key, string funcHash, byte[] batch, string runId, DateTimeOffset receivedAt, long started, FunctionRegistry registry, Invoker invoker,
        FastmapRuns runs, CancellationToken cancellationToken)
    {
        var function = FastmapFunctions.Ref(key.Tenant, funcHash);
        if (await registry.FindAsync(function, cancellationToken) is not { } spec)
        {
            return Reply(NotFound);
        }

        if (await runs.StillPreparingAsync(function, cancellationToken))
        {
            return Initializing("preparing the function's environment");
        }

        await runs.TouchAsync(key.Tenant, funcHash, runId, cancellationToken);
        var outcome = await invoker.RunAsync(new CallRequest { Function = spec, Input = Payload.OfBytes(batch), ReceivedAt = receivedAt }, cancellationToken);
        return FastmapBatches.Reply(outcome, spec, key, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<IResult> DoneAsync(HttpRequest http, ApiKeys keys, FastmapRuns runs, IOptions<FastmapOptions> options, CancellationToken cancellationToken)
    {
        var request = await ReadAsync(http, keys, options.Value.MaxBodyBytes, cancellationToken);
        if (request.Refusal is not null)
        {
            return request.Refusal;
        }

        if (FuncHash(request) is not { } funcHash || RunId(request) is not { } runId)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "done needs func_hash and run_id");
        }

        return Reply(await runs.DoneAsync(request.Key!.Tenant, funcHash, runId, cancellationToken) ? "DONE" : NotFound);
    }

    public static IResult Initializing(string step) => Reply("INITALIZING", new Dictionary<string, object?> { ["init_step"] = step });

    /// <summary>Hex digits, as both hashes the client may send are: never a path.</summary>
    private static string? FuncHash(SignedRequest request) =>
        request.Text("func_hash") is { Length: > 0 and <= 64 } hash && hash.All(char.IsAsciiHexDigitLower) ? hash : null;

    /// <summary>The client's <c>secrets.token_hex(8)</c>; any visible ASCII without '/' up to 128 characters, a key of the run's record.</summary>
    private static string? RunId(SignedRequest request) =>
        request.Text("run_id") is { Length: > 0 and <= 128 } id && id.All(c => c is > ' ' and <= '~' and not '/') ? id : null;

    private static string HashPrefix(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}
