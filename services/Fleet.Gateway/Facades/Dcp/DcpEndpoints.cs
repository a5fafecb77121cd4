using System.Globalization;
using System.Text.Json;
using Fleet.Core.Jobs;
using Fleet.Gateway.Hosting;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Dcp.DcpWire;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>dcp-rest's routes (spec §3), each over the core's jobs: a job is seen and managed only by the identity that deployed it.</summary>
internal static class DcpEndpoints
{
    public static void MapDcpRoutes(this RouteGroupBuilder routes)
    {
        routes.MapPost("/job", DeployAsync);
        routes.MapPost("/job/{id}/slices", AppendAsync);
        routes.MapGet("/job/{id}/result", ResultsAsync);
        routes.MapGet("/job/{id}/result/{number}", ResultAsync);
        routes.MapGet("/job/{id}", StatusAsync);
        routes.MapGet("/job/{id}/status", StatusAsync);
        routes.MapDelete("/job/{id}", CancelAsync);
        routes.MapGet("/jobs", ListAsync);
        routes.MapGet("/jobs/count", CountAsync);
        routes.MapGet("/accounts", AccountsAsync);
        routes.MapPost("/keys", IssueKeyAsync);
    }

    /// <summary>Fleet's own: a new identity keystore for a password (open to loopback, or behind the admin token).</summary>
    public static async Task<IResult> IssueIdentityAsync(HttpContext http, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        if (!AdminAccess.IsAllowed(http, options.Value.AdminToken))
        {
            return Error(StatusCodes.Status401Unauthorized, "Issuing identities needs the admin token");
        }

        var body = await ReadJsonAsync(http, options.Value, cancellationToken);
        if (body.Refusal is not null)
        {
            return body.Refusal;
        }

        if (Password(body.Root) is not { } password)
        {
            return BadRequest("password must be a string");
        }

        // scrypt with ethers' parameters: about a second of one core, off the request thread's pool.
        var keystore = await Task.Run(() => DcpKeystores.Create(password), cancellationToken);
        return Results.Text(keystore, "application/json; charset=utf-8", statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> DeployAsync(
        HttpContext http, JobService jobs, DcpAccounts accounts, DcpKeystores keystores, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(http, options.Value, cancellationToken);
        if (body.Refusal is not null)
        {
            return body.Refusal;
        }

        var request = DcpDeployRequest.Parse(body.Root, options.Value.MaxSliceBytes, out var problem, out var tooLarge);
        if (request is null)
        {
            return tooLarge ? Error(StatusCodes.Status413PayloadTooLarge, problem) : BadRequest(problem);
        }

        var identity = Identity(http);
        var account = await AccountAsync(identity, request.Account, accounts, keystores, cancellationToken);
        if (account.Problem is not null)
        {
            return BadRequest(account.Problem);
        }

        var jobId = DcpAddresses.NewJobId();
        var document = Document(request.Name, account.Address);
        var (deployed, failure) = await jobs.DeployAsync(identity, jobId.ToLowerInvariant(), request.Work, document, request.Slices, cancellationToken);
        if (!deployed)
        {
            return BadRequest(failure);
        }

        return Json(StatusCodes.Status201Created, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", jobId);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> AppendAsync(HttpContext http, string id, JobService jobs, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        if (DcpAddresses.Normalize(id) is not { } jobId)
        {
            return NotFound();
        }

        var body = await ReadJsonAsync(http, options.Value, cancellationToken);
        if (body.Refusal is not null)
        {
            return body.Refusal;
        }

        // The code's {"sliceData": […]}; also a bare array and {"slices": […]}.
        var array = body.Root.ValueKind == JsonValueKind.Array ? body.Root
            : body.Root.ValueKind == JsonValueKind.Object && (body.Root.TryGetProperty("sliceData", out var data) || body.Root.TryGetProperty("slices", out data)) ? data
            : default;
        var slices = DcpDeployRequest.Items(array, "sliceData", options.Value.MaxSliceBytes, out var problem, out var tooLarge);
        if (slices is null)
        {
            return tooLarge ? Error(StatusCodes.Status413PayloadTooLarge, problem) : BadRequest(problem);
        }

        var appended = await jobs.AppendAsync(Identity(http), jobId, slices, cancellationToken);
        if (!appended.Found)
        {
            return NotFound();
        }

        if (!appended.Open)
        {
            return Error(StatusCodes.Status409Conflict, $"Job {DcpAddresses.Checksum(jobId)!} is not open");
        }

        return Json(StatusCodes.Status201Created, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", DcpAddresses.Checksum(jobId)!);
            writer.WriteNumber("firstSliceNumber", appended.FirstNumber);
            writer.WriteNumber("lastSliceNumber", appended.LastNumber);
            writer.WriteNumber("totalSlices", appended.TotalSlices);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> ResultsAsync(HttpContext http, string id, JobService jobs, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var ranges = DcpRanges.Parse([.. query["range"], .. query["range[]"]], out var problem);
        return ranges is null ? BadRequest(problem) : await WriteResultsAsync(http, id, ranges, jobs, options.Value, cancellationToken);
    }

    private static async Task<IResult> ResultAsync(HttpContext http, string id, string number, JobService jobs, IOptions<DcpOptions> options, CancellationToken cancellationToken) =>
        int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var slice) && slice >= 1
            ? await WriteResultsAsync(http, id, [(slice, slice)], jobs, options.Value, cancellationToken)
            : BadRequest($"slice number '{number}' is not a positive integer");

    /// <summary>
    /// The job's counters and the returned slices in <paramref name="ranges"/> (none: all), ascending; written as they
    /// are read, a page at a time, so a reply of a whole large job never sits in memory.
    /// </summary>
    private static async Task<IResult> WriteResultsAsync(
        HttpContext http, string id, List<(int From, int To)> ranges, JobService jobs, DcpOptions options, CancellationToken cancellationToken)
    {
        if (DcpAddresses.Normalize(id) is not { } jobId || await jobs.GetAsync(Identity(http), jobId, cancellationToken) is not { } summary)
        {
            return NotFound();
        }

        var total = summary.TotalSlices;
        var wanted = ranges.Count == 0 ? [(1, total)] : ranges;
        return Results.Stream(
            async stream =>
            {
                await using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartObject();
                WriteCounters(writer, summary);
                writer.WriteStartArray("results");
                foreach (var (from, to) in wanted.Where(range => range.From <= total))
                {
                    for (var next = from; next <= Math.Min(to, total);)
                    {
                        var page = await jobs.ResultsAsync(jobId, next, Math.Min(to, total), options.ResultPageSize, cancellationToken);
                        foreach (var result in page)
                        {
                            writer.WriteStartObject();
                            writer.WriteNumber("sliceNumber", result.Number);
                            writer.WritePropertyName("value");
                            writer.WriteRawValue(result.Value, skipInputValidation: true);
                            writer.WriteEndObject();
                        }

                        await writer.FlushAsync(cancellationToken);
                        next = page.Count < options.ResultPageSize ? int.MaxValue : page[^1].Number + 1;
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            },
            "application/json; charset=utf-8");
    }

    private static async Task<IResult> StatusAsync(HttpContext http, string id, JobService jobs, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        if (DcpAddresses.Normalize(id) is not { } jobId || await jobs.GetAsync(Identity(http), jobId, cancellationToken) is not { } summary)
        {
            return NotFound();
        }

        var failed = summary.FailedSlices > 0 ? await jobs.FailedAsync(jobId, options.Value.MaxListedFailures, cancellationToken) : [];
        return Json(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", DcpAddresses.Checksum(jobId)!);
            writer.WriteString("name", Name(summary.Document));
            WriteCounters(writer, summary);
            writer.WriteNumber("failedSlices", summary.FailedSlices);
            writer.WriteStartArray("failures");
            foreach (var failure in failed)
            {
                writer.WriteStartObject();
                writer.WriteNumber("sliceNumber", failure.Number);
                writer.WriteString("error", failure.Error);
                writer.WriteNumber("attempts", failure.Attempts);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("totalCPUTime", Math.Round(summary.CpuSeconds, 6));
            writer.WriteNumber("totalGPUTime", 0);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id, JobService jobs, CancellationToken cancellationToken) =>
        DcpAddresses.Normalize(id) is { } jobId && await jobs.CancelAsync(Identity(http), jobId, cancellationToken)
            ? Results.StatusCode(StatusCodes.Status204NoContent)
            : NotFound();

    private static async Task<IResult> ListAsync(HttpContext http, JobService jobs, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        var listed = await jobs.ListAsync(Identity(http), options.Value.MaxListedJobs, cancellationToken);
        return Json(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartArray();
            foreach (var summary in listed)
            {
                writer.WriteStartObject();
                writer.WriteString("jobId", DcpAddresses.Checksum(summary.Id)!);
                writer.WriteString("name", Name(summary.Document));
                WriteCounters(writer, summary);
                writer.WriteString("created", summary.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<IResult> CountAsync(HttpContext http, JobService jobs, CancellationToken cancellationToken)
    {
        var count = await jobs.CountAsync(Identity(http), cancellationToken);
        return Json(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("jobCount", count);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> AccountsAsync(HttpContext http, DcpAccounts accounts, CancellationToken cancellationToken)
    {
        var listed = await accounts.ListAsync(Identity(http), cancellationToken);
        return Json(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartArray();
            foreach (var account in listed)
            {
                writer.WriteStartObject();
                writer.WriteString("name", account.Name);
                writer.WriteString("address", DcpAddresses.Checksum(account.Address)!);
                writer.WriteString("balance", "0.000000");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>Fleet's own: an API key for the caller, used as <c>Bearer &lt;apiKey&gt;.&lt;password&gt;</c> with the password given here.</summary>
    private static async Task<IResult> IssueKeyAsync(HttpContext http, DcpApiKeys keys, IOptions<DcpOptions> options, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(http, options.Value, cancellationToken);
        if (body.Refusal is not null)
        {
            return body.Refusal;
        }

        if (Password(body.Root) is not { } password)
        {
            return BadRequest("password must be a string");
        }

        var apiKey = await keys.IssueAsync(Identity(http), password, cancellationToken);
        return Json(StatusCodes.Status201Created, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("apiKey", apiKey);
            writer.WriteEndObject();
        });
    }

    /// <summary>The job's counters as dcp-rest reports them (spec §4.2; the rules are the core's <see cref="JobState"/>).</summary>
    private static void WriteCounters(Utf8JsonWriter writer, JobReport job)
    {
        writer.WriteString("status", job.State.ToString().ToLowerInvariant());
        writer.WriteNumber("totalSlices", job.TotalSlices);
        writer.WriteNumber("activeSlices", job.ActiveSlices);
        writer.WriteNumber("completedSlices", job.ReturnedSlices);
    }

    /// <summary>
    /// The account a deploy pays from (spec §3.1): a bank keystore proved with its password (kept as the identity's),
    /// or one of the identity's accounts by address (any case) or by label; none given: the identity's default.
    /// </summary>
    private static async Task<(string? Address, string? Problem)> AccountAsync(
        string identity, JsonElement? account, DcpAccounts accounts, DcpKeystores keystores, CancellationToken cancellationToken)
    {
        if (account is not { ValueKind: JsonValueKind.Object } chosen)
        {
            return account is null ? (identity, null) : (null, "account must be an object");
        }

        if (chosen.TryGetProperty("json", out var keystore))
        {
            var json = keystore.ValueKind == JsonValueKind.String ? keystore.GetString() : keystore.ValueKind == JsonValueKind.Object ? keystore.GetRawText() : null;
            var password = chosen.TryGetProperty("password", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : "";
            var address = json is null ? null : await Task.Run(() => keystores.Verify(json, password), cancellationToken);
            return address is null
                ? (null, "Invalid bank account keystore or password")
                : ((await accounts.AddAsync(identity, address, cancellationToken)).Address, null);
        }

        var known = await accounts.ListAsync(identity, cancellationToken);
        var match = chosen.TryGetProperty("address", out var byAddress) && byAddress.ValueKind == JsonValueKind.String
            ? known.FirstOrDefault(a => a.Address == DcpAddresses.Normalize(byAddress.GetString()))
            : (chosen.TryGetProperty("label", out var label) || chosen.TryGetProperty("name", out label)) && label.ValueKind == JsonValueKind.String
                ? known.FirstOrDefault(a => a.Name == label.GetString())
                : known[0];
        return match is null ? (null, $"Cannot find a matching payment account with identity {DcpAddresses.Checksum(identity)!}") : (match.Address, null);
    }

    private static string Document(string name, string? account)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("account", account);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Name(string document)
    {
        using var parsed = JsonDocument.Parse(document);
        return parsed.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "";
    }

    private static string? Password(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("password", out var password) && password.ValueKind == JsonValueKind.String
            ? password.GetString()
            : null;

    /// <summary>The body as JSON (with or without a content type), or the refusal: 413 past the limit, 400 when it is not JSON.</summary>
    private static async Task<JsonBody> ReadJsonAsync(HttpContext http, DcpOptions options, CancellationToken cancellationToken)
    {
        var read = await RequestBodies.ReadAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        if (read.Bytes is not { } bytes)
        {
            return new JsonBody(default, read.FailureStatus == StatusCodes.Status413PayloadTooLarge ? Error(read.FailureStatus, read.Failure) : BadRequest(read.Failure));
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
            return new JsonBody(document.RootElement.Clone(), null);
        }
        catch (JsonException error)
        {
            return new JsonBody(default, BadRequest($"the body is not JSON: {error.Message}"));
        }
    }

    private readonly record struct JsonBody(JsonElement Root, IResult? Refusal);
}
