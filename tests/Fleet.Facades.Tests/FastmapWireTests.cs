using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Gateway.Facades.Fastmap;

namespace Fleet.Facades.Tests;

/// <summary>
/// Fastmap's wire (../shared/specs/fastmap.md §1–§4, §9) over the real core in process: secrets, the check order
/// (413, 401, 403, 400), exact Content-Types and <c>X-Status</c> on every reply, the probe and the chunked upload with
/// its checks, tenants kept apart. Batches that run are the end-to-end tests' (a Python client with real pickles).
/// </summary>
public sealed class FastmapWireTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private readonly HttpClient _http = fleet.CreateClient();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Signatures_match_the_specs_vectors()
    {
        var key = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 4))[32..]);

        Assert.Equal("3e6302d87b450cf723ae430ee9dedbe617ff6b776e9437aed8d9f7305d6a3ddd", FastmapWire.Sign(key, [0x80]));
        Assert.Equal("8cdded0b0dbac351943ad9a6bbaef3b021d15e15c80a9bb52b224592f88b3d4e", FastmapWire.Sign(key, Convert.FromHexString(
            "82a966756e635f68617368b039313933316264383135326266393230a672756e5f6964b061373237653138356136326432373435")));
    }

    [Fact]
    public async Task A_secret_is_issued_only_with_the_admin_token_and_is_64_hex_digits_of_a_new_tenant()
    {
        using var refused = await _http.PostAsync("/api/v1/secret", null, Cancel);
        var first = await SecretAsync();
        var second = await SecretAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("UNAUTHORIZED", Status(refused));
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Auth_answers_AUTHORIZED_in_exactly_application_msgpack_and_a_replayed_request_is_accepted_again()
    {
        var secret = await SecretAsync();
        using var first = await PostAsync(secret, "/api/v1/auth", new Dictionary<string, object?>());
        using var again = await PostAsync(secret, "/api/v1/auth", new Dictionary<string, object?>());

        foreach (var reply in new[] { first, again })
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            Assert.Equal("AUTHORIZED", Status(reply));
            Assert.Equal("application/msgpack", Assert.Single(reply.Content.Headers.GetValues("Content-Type")));
            Assert.Equal([0x80], await reply.Content.ReadAsByteArrayAsync(Cancel));
        }
    }

    [Fact]
    public async Task Requests_are_refused_in_the_specs_order_each_with_its_status_in_msgpack()
    {
        var secret = await SecretAsync();
        var body = Msgpack.Write(new Dictionary<string, object?>());
        using var unknownBearer = await PostAsync(string.Concat(Enumerable.Repeat("0", 64)), "/api/v1/auth", body);
        using var badSignature = await PostAsync(secret, "/api/v1/auth", body, signature: new string('0', 64));
        using var noSignature = await PostAsync(secret, "/api/v1/auth", body, signature: "");
        using var malformed = await PostAsync(secret, "/api/v1/map", [0xc1]);
        using var notAMap = await PostAsync(secret, "/api/v1/map", Msgpack.Write(new List<object?> { 1L }));
        using var oldClient = await PostAsync(secret, "/api/v1/auth", body, clientVersion: "0.0.12");
        using var get = await _http.GetAsync("/api/v1/map", Cancel);
        using var unknownPath = await PostAsync(secret, "/api/v1/nothing", body);

        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHORIZED"), (unknownBearer.StatusCode, Status(unknownBearer)));
        Assert.Equal((HttpStatusCode.Forbidden, "INVALID_SIGNATURE"), (badSignature.StatusCode, Status(badSignature)));
        Assert.Equal((HttpStatusCode.Forbidden, "INVALID_SIGNATURE"), (noSignature.StatusCode, Status(noSignature)));
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (malformed.StatusCode, Status(malformed)));
        Assert.Contains("not valid msgpack", await ErrorAsync(malformed));
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (notAMap.StatusCode, Status(notAMap)));
        Assert.Equal((HttpStatusCode.Gone, "DISCONTINUED"), (oldClient.StatusCode, Status(oldClient)));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED"), (get.StatusCode, Status(get)));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (unknownPath.StatusCode, Status(unknownPath)));
        foreach (var reply in new[] { unknownBearer, badSignature, malformed, oldClient, get, unknownPath })
        {
            Assert.Equal("application/msgpack", Assert.Single(reply.Content.Headers.GetValues("Content-Type")));
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_TOO_LARGE_before_anything_else_is_checked()
    {
        var big = new byte[(32 << 20) + 1];
        using var reply = await PostAsync(string.Concat(Enumerable.Repeat("0", 64)), "/api/v1/init", big);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "TOO_LARGE"), (reply.StatusCode, Status(reply)));
    }

    [Fact]
    public async Task An_upload_in_parts_is_joined_checked_against_func_hash_and_found_by_its_tenant_only()
    {
        var secret = await SecretAsync();
        var payload = Payload(new Dictionary<string, object?> { ["requirements"] = new List<object?> { "dill==0.3.6" } });
        var hash = HashOf(payload);
        var parts = payload.Chunk((payload.Length / 3) + 1).ToList();

        using var before = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash });
        var uploaded = new List<string?>();
        for (var i = 0; i < parts.Count; i++)
        {
            using var part = await PostAsync(secret, "/api/v1/init", Part(hash, parts[i], i, parts.Count));
            uploaded.Add(Status(part));
        }

        using var after = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash });
        using var otherTenant = await PostAsync(await SecretAsync(), "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash });

        Assert.Equal("NOT_FOUND", Status(before));
        Assert.Equal(["UPLOADED", "UPLOADED", "UPLOADED"], uploaded);
        Assert.Equal("FOUND", Status(after));
        Assert.Equal("NOT_FOUND", Status(otherTenant));
    }

    [Fact]
    public async Task Parts_out_of_order_or_out_of_range_and_a_payload_that_does_not_hash_to_func_hash_are_refused_and_nothing_is_stored()
    {
        var secret = await SecretAsync();
        var payload = Payload();
        var hash = HashOf(payload);
        var halves = payload.Chunk((payload.Length / 2) + 1).ToList();

        using var secondFirst = await PostAsync(secret, "/api/v1/init", Part(hash, halves[1], 1, 2));
        using var outOfRange = await PostAsync(secret, "/api/v1/init", Part(hash, halves[0], 2, 2));
        using var first = await PostAsync(secret, "/api/v1/init", Part(hash, halves[0], 0, 2));
        using var skipped = await PostAsync(secret, "/api/v1/init", Part(hash, halves[1], 1, 3));
        var wrongHash = new string('a', 16);
        using var mismatch = await PostAsync(secret, "/api/v1/init", Part(wrongHash, payload, 0, 1));
        using var probe = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = wrongHash });
        using var unfinished = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash });

        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (secondFirst.StatusCode, Status(secondFirst)));
        Assert.Contains("came before part 0", await ErrorAsync(secondFirst));
        Assert.Contains("out of range", await ErrorAsync(outOfRange));
        Assert.Equal("UPLOADED", Status(first));
        Assert.Contains("out of order", await ErrorAsync(skipped));
        Assert.Contains("does not hash to func_hash", await ErrorAsync(mismatch));
        Assert.Equal("NOT_FOUND", Status(probe));
        Assert.Equal("NOT_FOUND", Status(unfinished));
    }

    [Fact]
    public async Task A_single_part_without_payload_part_and_payload_len_is_the_whole_payload()
    {
        var secret = await SecretAsync();
        var payload = Payload();
        var hash = HashOf(payload);

        using var upload = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash, ["func"] = payload });
        using var probe = await PostAsync(secret, "/api/v1/init", new Dictionary<string, object?> { ["func_hash"] = hash });

        Assert.Equal("UPLOADED", Status(upload));
        Assert.Equal("FOUND", Status(probe));
    }

    [Fact]
    public async Task Payloads_that_are_not_gzip_lack_func_or_name_a_module_that_is_no_module_name_are_400_with_the_reason()
    {
        var secret = await SecretAsync();
        byte[] notGzip = [1, 2, 3];
        var noFunc = Gzip(Msgpack.Write(new Dictionary<string, object?> { ["local_sources"] = new Dictionary<string, object?>() }));
        var badModule = Payload(new Dictionary<string, object?> { ["local_sources"] = new Dictionary<string, object?> { ["../../etc"] = "x = 1" } });

        var errors = new List<string>();
        foreach (var payload in new[] { notGzip, noFunc, badModule })
        {
            using var reply = await PostAsync(secret, "/api/v1/init", Part(HashOf(payload), payload, 0, 1));
            Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (reply.StatusCode, Status(reply)));
            errors.Add(await ErrorAsync(reply));
        }

        Assert.Contains("not gzip", errors[0]);
        Assert.Contains("func is missing", errors[1]);
        Assert.Contains("not a Python module name", errors[2]);
    }

    [Fact]
    public async Task A_map_of_an_unknown_function_and_the_done_of_an_unknown_run_are_NOT_FOUND()
    {
        var secret = await SecretAsync();
        using var map = await PostAsync(secret, "/api/v1/map", new Dictionary<string, object?>
        {
            ["func_hash"] = "0123456789abcdef", ["batch"] = new byte[] { 1 }, ["label"] = "", ["run_id"] = "a727e185a62d2745",
        });
        using var done = await PostAsync(secret, "/api/v1/done", new Dictionary<string, object?> { ["func_hash"] = "0123456789abcdef", ["run_id"] = "a727e185a62d2745" });

        Assert.Equal((HttpStatusCode.OK, "NOT_FOUND"), (map.StatusCode, Status(map)));
        Assert.Equal((HttpStatusCode.OK, "NOT_FOUND"), (done.StatusCode, Status(done)));
    }

    private async Task<string> SecretAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/secret");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InProcessFleet.AdminToken);
        using var reply = await _http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Created, reply.StatusCode);
        return JsonDocument.Parse(await reply.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("secret").GetString()!;
    }

    private Task<HttpResponseMessage> PostAsync(string secret, string path, Dictionary<string, object?> body) => PostAsync(secret, path, Msgpack.Write(body));

    /// <summary>As client 0.0.6 sends it: no Content-Type, the bearer, the client's headers, the body's signature.</summary>
    private async Task<HttpResponseMessage> PostAsync(string secret, string path, byte[] body, string? signature = null, string clientVersion = "0.0.6")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = null;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret[..32]);
        request.Headers.Add("X-Python-Version", "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]");
        request.Headers.Add("X-Client-Version", clientVersion);
        request.Headers.Add("X-Content-Signature", signature ?? FastmapWire.Sign(Encoding.ASCII.GetBytes(secret[32..]), body));
        return await _http.SendAsync(request, Cancel);
    }

    private static string? Status(HttpResponseMessage reply) => reply.Headers.TryGetValues("X-Status", out var values) ? values.Single() : null;

    private static async Task<string> ErrorAsync(HttpResponseMessage reply) =>
        (Msgpack.Read(await reply.Content.ReadAsByteArrayAsync(Cancel)) as Dictionary<string, object?>)?.GetValueOrDefault("error") as string ?? "";

    private static Dictionary<string, object?> Part(string hash, byte[] part, int index, int count) =>
        new() { ["func_hash"] = hash, ["func"] = part, ["payload_part"] = (long)index, ["payload_len"] = (long)count };

    /// <summary>A payload's envelope around bytes that stand for the pickle (never opened by the gateway, nor run here).</summary>
    private static byte[] Payload(Dictionary<string, object?>? fields = null)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["func"] = RandomNumberGenerator.GetBytes(4096),
            ["local_sources"] = new Dictionary<string, object?> { ["helper"] = "def double(x):\n    return 2 * x\n" },
            ["installed_mods"] = new List<object?> { "json" },
            ["requirements"] = new Dictionary<string, object?>(),
        };
        foreach (var (key, value) in fields ?? [])
        {
            envelope[key] = value;
        }

        return Gzip(Msgpack.Write(envelope));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return zipped.ToArray();
    }

    private static string HashOf(byte[] payload) => Convert.ToHexStringLower(SHA256.HashData(payload))[..16];
}
