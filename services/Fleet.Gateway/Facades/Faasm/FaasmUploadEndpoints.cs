using Fleet.Core.Functions;
using Fleet.Core.State;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Faasm.FaasmWire;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>Faasm's upload server: Python functions (<c>/p/</c>), state (<c>/s/</c>), WebAssembly (<c>/f/</c>, not yet run), <c>/ping</c>.</summary>
internal static class FaasmUploadEndpoints
{
    public static void MapFaasmUploads(this RouteGroupBuilder routes)
    {
        routes.MapGet("/ping", () => Text("PONG"));
        routes.MapPut("/p/{user}/{function}", PutPythonAsync);
        routes.MapGet("/p/{user}/{function}", GetPythonAsync);
        routes.MapPut("/s/{user}/{key}", PutStateAsync);
        routes.MapGet("/s/{user}/{key}", GetStateAsync);
        routes.MapPut("/f/{user}/{function}", PutWasm);
        routes.MapGet("/f/{user}/{function}", () => Text("WebAssembly functions are not supported yet", StatusCodes.Status404NotFound));
    }

    /// <summary>Replaces any earlier version: its warm instances are retired with it.</summary>
    private static async Task<IResult> PutPythonAsync(
        string user, string function, HttpRequest http, FunctionRegistry registry, IOptions<FaasmOptions> options, CancellationToken cancellationToken)
    {
        var (source, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        await registry.DeleteAsync(FaasmFunctions.Ref(user, function), cancellationToken);
        var registration = await registry.RegisterAsync(FaasmFunctions.Python(user, function, source!, options.Value), cancellationToken);
        return registration.Created is not null
            ? Text("Python function upload complete\n")
            : Text($"Python function upload failed: {registration.Reason}\n", StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> GetPythonAsync(string user, string function, FunctionRegistry registry, CancellationToken cancellationToken)
    {
        var spec = await registry.FindAsync(FaasmFunctions.Ref(user, function), cancellationToken);
        var package = spec is null ? null : await registry.PackageAsync(spec, cancellationToken);
        return (package is null ? null : FaasmFunctions.Source(package)) is { } source
            ? Bytes(source)
            : Text($"Function {user}/{function} not found", StatusCodes.Status404NotFound);
    }

    /// <summary>Sets the whole value; an empty body changes nothing, as upstream.</summary>
    private static async Task<IResult> PutStateAsync(string user, string key, HttpRequest http, StateValues state, CancellationToken cancellationToken)
    {
        var (value, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        try
        {
            if (value!.Length > 0)
            {
                await state.WriteAsync(FaasmFunctions.Namespace(user), key, value, cancellationToken);
            }
        }
        catch (ArgumentOutOfRangeException tooLarge)
        {
            return Text($"{tooLarge.Message}\n", StatusCodes.Status413PayloadTooLarge);
        }
        catch (ArgumentException invalid)
        {
            return Text($"Bad state key: {invalid.Message}\n", StatusCodes.Status400BadRequest);
        }

        return Text("State upload complete\n");
    }

    private static async Task<IResult> GetStateAsync(string user, string key, StateValues state, CancellationToken cancellationToken)
    {
        try
        {
            return await state.ReadAsync(FaasmFunctions.Namespace(user), key, cancellationToken) is { Length: > 0 } value
                ? Bytes(value)
                : Text("Empty response", StatusCodes.Status404NotFound);
        }
        catch (ArgumentException invalid)
        {
            return Text($"Bad state key: {invalid.Message}\n", StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>Clients upload CPython's wasm to <c>python/py_func</c>: accepted and ignored, Fleet's Python is built in.</summary>
    private static IResult PutWasm(string user, string function) =>
        user == "python" && function == "py_func"
            ? Text("Function upload complete\n")
            : Text("WebAssembly functions are not supported yet\n", StatusCodes.Status400BadRequest);
}
