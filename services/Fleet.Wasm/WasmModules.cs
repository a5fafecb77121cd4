using Wasmtime;

namespace Fleet.Wasm;

/// <summary>
/// Checks and compiles an uploaded module once, at registration: the executor then loads the compiled code (a
/// fraction of a millisecond) rather than compiling it at every cold start (tens to hundreds of milliseconds).
/// </summary>
public static class WasmModules
{
    public const string WasiModule = "wasi_snapshot_preview1";

    /// <summary>The module's file in a package, and its compiled code's, which only the registry writes.</summary>
    public const string ModuleFile = "function.wasm";

    public const string CompiledFile = "function.cwasm";

    private static readonly Lazy<Engine> SharedEngine = new(WasmEngine.Create);

    /// <summary>
    /// The module's compiled code (of the module as the executor runs it: <see cref="Prepare"/>), or why it cannot run:
    /// not WebAssembly, invalid, no <c>_start</c> or memory export, or an import Fleet does not provide.
    /// </summary>
    public static WasmCompilation Compile(byte[] wasm)
    {
        ArgumentNullException.ThrowIfNull(wasm);
        if (!WasmBinary.IsModule(wasm))
        {
            return WasmCompilation.Refused("not a WebAssembly module (a binary module starts with \\0asm and version 1)");
        }

        byte[] prepared;
        try
        {
            prepared = Prepare(wasm);
        }
        catch (FormatException malformed)
        {
            return WasmCompilation.Refused($"not a valid WebAssembly module: {malformed.Message}");
        }

        Module module;
        try
        {
            module = Module.FromBytes(SharedEngine.Value, "function", prepared);
        }
        catch (WasmtimeException invalid)
        {
            return WasmCompilation.Refused($"not a valid WebAssembly module: {FirstLine(invalid.Message)}");
        }

        using (module)
        {
            if (Problem(module) is { } problem)
            {
                return WasmCompilation.Refused(problem);
            }

            return new WasmCompilation(module.Serialize(), null);
        }
    }

    /// <summary>The module as the executor runs it: its function table exported (<see cref="WasmBinary.WithTableExported"/>).</summary>
    public static byte[] Prepare(byte[] wasm) => WasmBinary.WithTableExported(wasm);

    private static string? Problem(Module module)
    {
        foreach (var import in module.Imports)
        {
            var provided = import.ModuleName switch
            {
                WasiModule => import is FunctionImport,
                FaasmHostInterface.Module => import is FunctionImport function
                    && FaasmHostInterface.Imports.TryGetValue(import.Name, out var host)
                    && function.Parameters.Count == host.Parameters && function.Parameters.All(kind => kind == ValueKind.Int32)
                    && function.Results.Count == (host.ReturnsInt ? 1 : 0) && function.Results.All(kind => kind == ValueKind.Int32),
                _ => false,
            };
            if (!provided)
            {
                return $"the module imports {import.ModuleName}.{import.Name}, which Fleet does not provide"
                    + (import.ModuleName == FaasmHostInterface.Module && FaasmHostInterface.Imports.ContainsKey(import.Name) ? " with that signature" : "");
            }
        }

        if (!module.Exports.Any(export => export is FunctionExport && export.Name == "_start"))
        {
            return "the module has no _start function: build it as a WASI command (a C or C++ program with main)";
        }

        return module.Exports.Any(export => export is MemoryExport && export.Name == "memory") ? null : "the module does not export its memory";
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>What <see cref="WasmModules.Compile"/> made: the module's compiled code, or why not.</summary>
public sealed record WasmCompilation(byte[]? Compiled, string? Problem)
{
    public static WasmCompilation Refused(string problem) => new(null, problem);
}
