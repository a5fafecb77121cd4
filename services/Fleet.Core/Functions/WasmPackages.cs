using Fleet.Wasm;

namespace Fleet.Core.Functions;

/// <summary>
/// A WebAssembly function's package as workers run it: the module as uploaded (<see cref="WasmModules.ModuleFile"/>,
/// what Faasm's GET /f/ gives back) and the code the registry compiled from it (<see cref="WasmModules.CompiledFile"/>),
/// nothing else; a compiled file the package brought is dropped, as a worker's executor would run it as native code.
/// </summary>
internal static class WasmPackages
{
    /// <summary>A package holding just <paramref name="module"/> (a facade's upload).</summary>
    public static byte[] Of(byte[] module) => PackageFiles.Of((WasmModules.ModuleFile, module));

    /// <summary>The module of a package, or null when it holds none.</summary>
    public static byte[]? Module(byte[] package) => PackageFiles.Read(package, WasmModules.ModuleFile);

    public static (byte[]? Package, string? Problem) Compile(byte[] package)
    {
        if (Module(package) is not { } module)
        {
            return (null, $"a WebAssembly package must hold the module as {WasmModules.ModuleFile}");
        }

        var compilation = WasmModules.Compile(module);
        return compilation.Problem is { } problem
            ? (null, problem)
            : (PackageFiles.Of((WasmModules.ModuleFile, module), (WasmModules.CompiledFile, compilation.Compiled!)), null);
    }
}
