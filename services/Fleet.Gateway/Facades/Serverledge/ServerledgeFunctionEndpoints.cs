using Fleet.Contracts;
using Fleet.Core;
using Fleet.Core.Fleet;
using Fleet.Core.Functions;
using static Fleet.Gateway.Facades.Serverledge.ServerledgeWire;

namespace Fleet.Gateway.Facades.Serverledge;

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

    private static async Task<IResult> CreateAsync(HttpRequest http, FunctionRegistry registry, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.CreateFunctionRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var runtime = RuntimeNames.Resolve(request!.Runtime);
        byte[] package = [];
        if (runtime is not null and not Runtimes.Custom)
        {
            try
            {
                package = Convert.FromBase64String(request.TarFunctionCode ?? "");
            }
            catch (FormatException)
            {
                return Text(StatusCodes.Status400BadRequest, "TarFunctionCode is not valid base64");
            }
        }

        var registration = await registry.RegisterAsync(new FunctionRegistration
        {
            Function = Ref(request.Name ?? ""),
            Runtime = runtime ?? request.Runtime ?? "",
            Handler = request.Handler,
            MemoryMB = request.MemoryMB,
            CpuDemand = request.CPUDemand,
            TimeoutSeconds = request.Timeout,
            CustomImage = request.CustomImage,
            Package = package,
        }, cancellationToken);
        return registration.Problem switch
        {
            null => Json(new Dictionary<string, string> { ["Created"] = registration.Created!.Name }),
            RegistrationProblem.NameTaken => Text(StatusCodes.Status409Conflict),
            RegistrationProblem.Runtime => Text(StatusCodes.Status404NotFound, "Invalid runtime."),

            // Upstream's body for MemoryMB < 1 exactly; a limit no worker can give says why after it.
            RegistrationProblem.Memory => Text(StatusCodes.Status422UnprocessableEntity,
                request.MemoryMB < 1 ? "Invalid memory limit" : $"Invalid memory limit: {registration.Reason}"),
            RegistrationProblem.Cpu => Text(StatusCodes.Status422UnprocessableEntity, $"Invalid CPU demand: {registration.Reason}"),
            _ => Text(StatusCodes.Status400BadRequest, registration.Reason),
        };
    }

    /// <summary>Serverledge's functions in the registry.</summary>
    private static FunctionRef Ref(string name) => new(FunctionNamespaces.Serverledge, name);

    private static async Task<IResult> DeleteAsync(HttpRequest http, FunctionRegistry registry, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.DeleteFunctionRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var deleted = await registry.DeleteAsync(Ref(request!.Name ?? ""), cancellationToken);
        return deleted is null
            ? Text(StatusCodes.Status404NotFound, "Unknown function")
            : Json(new Dictionary<string, string> { ["Deleted"] = deleted.Name });
    }

    private static async Task<IResult> ListAsync(FunctionRegistry registry, CancellationToken cancellationToken) =>
        Json(await registry.ListAsync(FunctionNamespaces.Serverledge, cancellationToken));

    private static async Task<IResult> PrewarmAsync(HttpRequest http, FunctionRegistry registry, FleetControl fleet, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync(http, ServerledgeJsonContext.Default.PrewarmRequest, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var function = await registry.FindAsync(Ref(request!.Function ?? ""), cancellationToken);
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
