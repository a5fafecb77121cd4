using System.Formats.Tar;
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
    public static byte[] Of(byte[] module) => Archive([(WasmModules.ModuleFile, module)]);

    /// <summary>The module of a package, or null when it holds none.</summary>
    public static byte[]? Module(byte[] package)
    {
        using var reader = new TarReader(new MemoryStream(package));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == WasmModules.ModuleFile && entry.DataStream is { } data)
            {
                using var module = new MemoryStream();
                data.CopyTo(module);
                return module.ToArray();
            }
        }

        return null;
    }

    public static (byte[]? Package, string? Problem) Compile(byte[] package)
    {
        if (Module(package) is not { } module)
        {
            return (null, $"a WebAssembly package must hold the module as {WasmModules.ModuleFile}");
        }

        var compilation = WasmModules.Compile(module);
        return compilation.Problem is { } problem
            ? (null, problem)
            : (Archive([(WasmModules.ModuleFile, module), (WasmModules.CompiledFile, compilation.Compiled!)]), null);
    }

    private static byte[] Archive(IEnumerable<(string Name, byte[] Data)> files)
    {
        using var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return archive.ToArray();
    }
}
