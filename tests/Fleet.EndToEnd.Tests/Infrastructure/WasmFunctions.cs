using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// WebAssembly functions built as a Faasm user builds them for Fleet: C or C++ through sdk/faasm/fleet-wasm-cc
/// (Debian's clang-14, wasi-libc and libc++), from the SDK's demos or from a test's own source. Each distinct source is
/// built once per test run.
/// </summary>
internal static class WasmFunctions
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Built = new(StringComparer.Ordinal);
    private static readonly string[] SourceExtensions = [".c", ".cpp"];
    private static readonly string Compiler = Path.Combine(RepoPaths.Root, "sdk", "faasm", "fleet-wasm-cc");

    /// <summary>The SDK's demo <paramref name="name"/> (sdk/faasm/demo/name.c or .cpp).</summary>
    public static byte[] Demo(string name)
    {
        var directory = Path.Combine(RepoPaths.Root, "sdk", "faasm", "demo");
        var file = SourceExtensions.Select(extension => Path.Combine(directory, name + extension)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"no demo {name} in {directory}");
        return Build(File.ReadAllText(file), Path.GetExtension(file));
    }

    /// <summary>A module built from <paramref name="source"/> (<paramref name="extension"/> .c or .cpp), with extra compiler flags.</summary>
    public static byte[] Build(string source, string extension = ".c", params string[] flags) => BuildWith(Compiler, source, extension, flags);

    /// <summary>
    /// A module linked as upstream's toolchain links functions (faasm/cpp's faasmtools/build.py: the constructors,
    /// malloc and free exported, the function table not), with the SDK's headers.
    /// </summary>
    public static byte[] BuildAsUpstream(string source, string extension = ".c") => BuildWith(extension == ".cpp" ? "clang++-14" : "clang-14", source, extension,
    [
        "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-I" + Path.Combine(RepoPaths.Root, "sdk", "faasm", "include"),
        "-Wl,--export=__wasm_call_ctors", "-Wl,--export=malloc", "-Wl,--export=free", "-Wl,--strip-debug",
    ]);

    /// <summary>A package (a tar archive) of these files.</summary>
    public static byte[] Package(params (string Name, byte[] Data)[] files)
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

    private static byte[] BuildWith(string compiler, string source, string extension, string[] flags)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{compiler}\n{extension}\n{string.Join(' ', flags)}\n{source}")));
        return Built.GetOrAdd(key, _ => new Lazy<byte[]>(() => Compile(compiler, source, extension, flags, key))).Value;
    }

    private static byte[] Compile(string compiler, string source, string extension, string[] flags, string key)
    {
        var directory = Directory.CreateTempSubdirectory("fleet-wasm-");
        try
        {
            var input = Path.Combine(directory.FullName, "function" + extension);
            var output = Path.Combine(directory.FullName, "function.wasm");
            File.WriteAllText(input, source);
            var start = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "-o", output, input }.Concat(flags))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? File.ReadAllBytes(output)
                : throw new InvalidOperationException($"{Path.GetFileName(compiler)} failed for {key[..12]}: {errors.Result}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
