using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.Core.State;
using Microsoft.Extensions.Options;
using static Fleet.Gateway.Facades.Faasm.FaasmWire;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// Faasm's upload server: Python functions (<c>/p/</c>), state (<c>/s/</c>), shared files (<c>/file</c>, a path in the
/// <c>FilePath</c> header; functions read them as <c>faasm://&lt;path&gt;</c>), WebAssembly modules (<c>/f/</c>), <c>/ping</c>.
/// </summary>
internal static class FaasmUploadEndpoints
{
    private const string NoFilePath = "Bad request, expected file path header FilePath";

    public static void MapFaasmUploads(this RouteGroupBuilder routes)
    {
        routes.MapGet("/ping", () => Text("PONG"));
        routes.MapPut("/p/{user}/{function}", PutPythonAsync);
        routes.MapGet("/p/{user}/{function}", GetPythonAsync);
        routes.MapPut("/s/{user}/{key}", PutStateAsync);
        routes.MapGet("/s/{user}/{key}", GetStateAsync);
        // Faasm's CLI uploads to a URL ending in '/', so curl appends the local file's name: only the header counts.
        routes.MapPut("/file/{**rest}", PutSharedFileAsync);
        routes.MapGet("/file/{**rest}", GetSharedFileAsync);
        routes.MapPut("/f/{user}/{function}", PutWasmAsync);
        routes.MapGet("/f/{user}/{function}", GetWasmAsync);
    }

    /// <summary>Replaces any earlier version once the new one is accepted: its warm instances are retired with it.</summary>
    private static async Task<IResult> PutPythonAsync(
        string user, string function, HttpRequest http, FunctionRegistry registry, StateValues state, IOptions<FaasmOptions> options,
        CancellationToken cancellationToken)
    {
        var (source, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var registration = await registry.RegisterAsync(FaasmFunctions.Python(user, function, source!, options.Value), cancellationToken, replace: true);
        if (registration.Created is null)
        {
            return Text($"Python function upload failed: {registration.Reason}\n", StatusCodes.Status400BadRequest);
        }

        // Upstream keeps the source as a shared file too.
        await state.WriteAsync(FunctionNamespaces.SharedFiles, $"pyfuncs/{user}/{function}/{FaasmFunctions.PythonFile}", source, cancellationToken);
        return Text("Python function upload complete\n");
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

    private static async Task<IResult> PutSharedFileAsync(HttpRequest http, StateValues state, CancellationToken cancellationToken)
    {
        if (FilePath(http) is not { } path)
        {
            return Text(NoFilePath, StatusCodes.Status400BadRequest);
        }

        var (bytes, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        try
        {
            await state.WriteAsync(FunctionNamespaces.SharedFiles, path, bytes!, cancellationToken);
        }
        catch (ArgumentOutOfRangeException tooLarge)
        {
            return Text($"{tooLarge.Message}\n", StatusCodes.Status413PayloadTooLarge);
        }
        catch (ArgumentException invalid)
        {
            return Text($"Bad file path: {invalid.Message}\n", StatusCodes.Status400BadRequest);
        }

        return Text("Shared file uploaded\n");
    }

    private static async Task<IResult> GetSharedFileAsync(HttpRequest http, StateValues state, CancellationToken cancellationToken)
    {
        if (FilePath(http) is not { } path)
        {
            return Text(NoFilePath, StatusCodes.Status400BadRequest);
        }

        try
        {
            return await state.ReadAsync(FunctionNamespaces.SharedFiles, path, cancellationToken) is { } bytes
                ? Bytes(bytes)
                : Text($"No file {path}", StatusCodes.Status404NotFound);
        }
        catch (ArgumentException invalid)
        {
            return Text($"Bad file path: {invalid.Message}\n", StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>The FilePath header without its leading '/' (functions open <c>faasm://path</c> and <c>faasm:///path</c> alike).</summary>
    private static string? FilePath(HttpRequest http) =>
        http.Headers["FilePath"].ToString().TrimStart('/') is { Length: > 0 } path ? path : null;

    /// <summary>
    /// A module replaces any earlier version, once the registry has checked and compiled it (an invalid module, or one
    /// importing what Fleet does not provide, is a 400 naming why). Clients upload CPython's wasm to
    /// <c>python/py_func</c>: accepted and ignored, Fleet's Python is built in.
    /// </summary>
    private static async Task<IResult> PutWasmAsync(
        string user, string function, HttpRequest http, FunctionRegistry registry, IOptions<FaasmOptions> options, CancellationToken cancellationToken)
    {
        var (module, error) = await ReadBodyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (user == "python" && function == "py_func")
        {
            return Text("Function upload complete\n");
        }

        var registration = await registry.RegisterAsync(FaasmFunctions.Wasm(user, function, module!, options.Value), cancellationToken, replace: true);
        if (registration.Created is null)
        {
            return Text($"Function upload failed: {registration.Reason}\n", StatusCodes.Status400BadRequest);
        }

        return Text("Function upload complete\n");
    }

    private static async Task<IResult> GetWasmAsync(string user, string function, FunctionRegistry registry, CancellationToken cancellationToken)
    {
        var spec = await registry.FindAsync(FaasmFunctions.Ref(user, function), cancellationToken);
        var package = spec is { Runtime: Runtimes.Wasm } ? await registry.PackageAsync(spec, cancellationToken) : null;
        return (package is null ? null : WasmPackages.Module(package)) is { } module
            ? Bytes(module)
            : Text($"Function {user}/{function} not found", StatusCodes.Status404NotFound);
    }
}
