using Fleet.Contracts;
using Fleet.Gateway.Functions;
using Fleet.Gateway.Invocations;
using Fleet.Placement;
using Fleet.Storage.Blobs;
using Fleet.Storage.Packages;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Serverledge.ServerledgeWire;

namespace Fleet.Gateway.Serverledge;

/// <summary>Serverledge's function registry routes: /create, /delete, /function(s), /prewarm.</summary>
internal static class ServerledgeFunctionEndpoints
{
    public static IEndpointRouteBuilder MapServerledgeFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/create", CreateAsync);
        routes.MapPost("/delete", DeleteAsync);
        routes.MapGet("/function", ListAsync);
        routes.MapGet("/functions", ListAsync);
        routes.MapPost("/prewarm", PrewarmAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest http, FunctionCatalog catalog, WorkerLedger workers, IOptions<GatewayOptions> options, IOptions<PackageLimits> packageLimits,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.CreateFunctionRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (!FunctionNames.IsValid(request!.Name))
        {
            return Text(StatusCodes.Status400BadRequest, "Name must be 1-128 letters, digits, '_', '.' or '-'");
        }

        var runtime = RuntimeNames.Resolve(request.Runtime);
        byte[] package = [];
        if (runtime is not null)
        {
            try
            {
                package = Convert.FromBase64String(request.TarFunctionCode ?? "");
                PackageArchive.Validate(package, packageLimits.Value, cancellationToken);
            }
            catch (FormatException)
            {
                return Text(StatusCodes.Status400BadRequest, "TarFunctionCode is not valid base64");
            }
            catch (InvalidPackageException ex)
            {
                return Text(StatusCodes.Status400BadRequest, ex.Message);
            }
        }

        if (await catalog.ExistsAsync(FunctionNamespaces.Serverledge, request.Name!, cancellationToken))
        {
            return Text(StatusCodes.Status409Conflict);
        }

        if (runtime is null)
        {
            return Text(StatusCodes.Status404NotFound, "Invalid runtime.");
        }

        // Upstream's body for MemoryMB < 1 exactly; a limit no worker can give says why after it.
        var sizes = workers.LiveWorkerSizes();
        if (InstanceSize.MemoryProblem(request.MemoryMB, sizes) is { } memory)
        {
            return Text(StatusCodes.Status422UnprocessableEntity, request.MemoryMB < 1 ? "Invalid memory limit" : $"Invalid memory limit: {memory}");
        }

        if (InstanceSize.CpuProblem(request.CPUDemand, request.MemoryMB, sizes) is { } cpu)
        {
            return Text(StatusCodes.Status422UnprocessableEntity, $"Invalid CPU demand: {cpu}");
        }

        if (HandlerProblem(runtime, request.Handler) is { } problem)
        {
            return Text(StatusCodes.Status400BadRequest, problem);
        }

        var timeout = request.Timeout ?? options.Value.DefaultTimeoutSeconds;
        if (timeout < 1 || timeout > options.Value.MaxTimeoutSeconds)
        {
            return Text(StatusCodes.Status400BadRequest, $"Timeout must be 1 to {options.Value.MaxTimeoutSeconds} seconds");
        }

        var spec = new FunctionSpec
        {
            Namespace = FunctionNamespaces.Serverledge,
            Name = request.Name!,
            Runtime = runtime,
            Handler = request.Handler!,
            MemoryMB = request.MemoryMB,
            CpuDemand = request.CPUDemand,
            TimeoutSeconds = timeout,
            PackageHash = BlobHash.Of(package),
            Generation = Guid.NewGuid().ToString("N"),
            CreatedAt = time.GetUtcNow(),
        };
        try
        {
            if (!await catalog.CreateAsync(spec, package, cancellationToken))
            {
                return Text(StatusCodes.Status409Conflict);
            }
        }
        catch (CoreUnavailableException)
        {
            return Json("", StatusCodes.Status503ServiceUnavailable);
        }

        return Json(new Dictionary<string, string> { ["Created"] = spec.Name });
    }

    private static string? HandlerProblem(string runtime, string? handler)
    {
        if (string.IsNullOrWhiteSpace(handler))
        {
            return "Handler is required";
        }

        if (runtime == Runtimes.Python)
        {
            var dot = handler.LastIndexOf('.');
            return dot <= 0 || dot == handler.Length - 1 ? "Handler must be module.function" : null;
        }

        return handler.StartsWith('/') || handler.Split('/').Contains("..") ? "Handler must be a path inside the package" : null;
    }

    private static async Task<IResult> DeleteAsync(HttpRequest http, FunctionCatalog catalog, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.DeleteFunctionRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var deleted = await catalog.DeleteAsync(FunctionNamespaces.Serverledge, request!.Name ?? "", cancellationToken);
        return deleted is null
            ? Text(StatusCodes.Status404NotFound, "Unknown function")
            : Json(new Dictionary<string, string> { ["Deleted"] = deleted.Name });
    }

    private static async Task<IResult> ListAsync(FunctionCatalog catalog, CancellationToken cancellationToken) =>
        Json(await catalog.ListAsync(FunctionNamespaces.Serverledge, cancellationToken));

    private static async Task<IResult> PrewarmAsync(HttpRequest http, FunctionCatalog catalog, FleetControl fleet, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.PrewarmRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var function = await catalog.FindAsync(FunctionNamespaces.Serverledge, request!.Function ?? "", cancellationToken);
        if (function is null)
        {
            return Text(StatusCodes.Status404NotFound, "Function unknown");
        }

        if (request.Instances < 0)
        {
            return Text(StatusCodes.Status400BadRequest, "Instances must not be negative");
        }

        try
        {
            var started = await fleet.PrewarmAsync(function, request.Instances, request.ForceImagePull, cancellationToken);
            return Json(new Dictionary<string, int> { ["Prewarmed"] = started });
        }
        catch (CoreUnavailableException)
        {
            return Json("", StatusCodes.Status503ServiceUnavailable);
        }
    }
}
