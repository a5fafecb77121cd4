using Fleet.Contracts;
using Fleet.Core.Functions;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// Faasm's functions in the core: user <c>u</c>'s function <c>f</c> is <c>f</c> in namespace <c>faasm/u</c>, whose
/// state the function reads and writes. An uploaded Python file is the package's <c>function.py</c>, loaded as module
/// <c>function</c> (upstream's name for it); an uploaded WebAssembly module its <c>function.wasm</c>.
/// </summary>
internal static class FaasmFunctions
{
    public const string PythonFile = "function.py";

    public static string Namespace(string user) => $"faasm/{user}";

    public static FunctionRef Ref(string user, string function) => new(Namespace(user), function);

    public static FunctionRegistration Python(string user, string function, byte[] source, FaasmOptions options) =>
        Registration(user, function, Runtimes.Python, CallConventions.FaasmPython, PackageFiles.Of((PythonFile, source)), options);

    /// <summary>A WebAssembly module: the registry compiles it into the package (<see cref="WasmPackages"/>).</summary>
    public static FunctionRegistration Wasm(string user, string function, byte[] module, FaasmOptions options) =>
        Registration(user, function, Runtimes.Wasm, CallConventions.FaasmWasm, WasmPackages.Of(module), options);

    /// <summary>The uploaded source back out of its package; null when the package holds none.</summary>
    public static byte[]? Source(byte[] package) => PackageFiles.Read(package, PythonFile);

    /// <summary>Both of Faasm's conventions name their module <c>function</c>, upstream's name for it.</summary>
    private static FunctionRegistration Registration(
        string user, string function, string runtime, string convention, byte[] package, FaasmOptions options) => new()
    {
        Function = Ref(user, function),
        Runtime = runtime,
        Convention = convention,
        Handler = "function",
        MemoryMB = options.FunctionMemoryMB,
        TimeoutSeconds = options.MessageTimeoutSeconds,
        Package = package,
    };
}
