using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Wasm;
using Fleet.WasmExecutor;
using Wasmtime;

namespace Fleet.Worker.Tests;

/// <summary>
/// What the registry does to an uploaded module before any worker sees it (<see cref="WasmModules"/>,
/// <see cref="WasmBinary"/>), and that the executor implements the whole host interface the SDK and upstream import.
/// </summary>
public sealed class WasmModuleTests
{
    [Fact]
    public void A_module_linked_without_its_table_exported_gets_it_exported_and_one_exporting_it_is_unchanged()
    {
        var upstream = WasmFunctions.BuildAsUpstream(File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "faasm", "demo", "chain.cpp")), ".cpp");
        var sdk = WasmFunctions.Demo("chain");

        var exported = WasmBinary.WithTableExported(upstream);

        Assert.DoesNotContain(Exports(upstream), name => name == WasmBinary.TableExport);
        Assert.Contains(Exports(exported), name => name == WasmBinary.TableExport);
        Assert.Equal(Exports(upstream).Append(WasmBinary.TableExport).Order(), Exports(exported).Order());
        Assert.Same(sdk, WasmBinary.WithTableExported(sdk));
        Assert.Equal(exported, WasmBinary.WithTableExported(exported));
    }

    [Fact]
    public void A_module_with_no_table_is_unchanged()
    {
        byte[] empty = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

        Assert.Same(empty, WasmBinary.WithTableExported(empty));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "not a WebAssembly module (a binary module starts with \\0asm and version 1)")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x07, 0x7f }, "not a valid WebAssembly module: a section runs past the module's end")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0xff }, "not a valid WebAssembly module:")]
    public void Bytes_that_are_not_a_valid_module_are_refused_with_the_reason(byte[] bytes, string problem)
    {
        var compilation = WasmModules.Compile(bytes);

        Assert.StartsWith(problem, compilation.Problem, StringComparison.Ordinal);
        Assert.Null(compilation.Compiled);
    }

    [Fact]
    public void A_module_without_exported_memory_is_refused()
    {
        var compilation = WasmModules.Compile(NoMemoryExport());

        Assert.Equal("the module does not export its memory", compilation.Problem);
    }

    [Fact]
    public void Compiled_code_loads_into_an_engine_configured_as_the_registrys()
    {
        var compilation = WasmModules.Compile(WasmFunctions.Demo("hello"));
        using var engine = WasmEngine.Create();

        using var module = Module.Deserialize(engine, "hello", compilation.Compiled);

        Assert.Contains(module.Exports, export => export.Name == "_start");
    }

    [Fact]
    public void The_executor_implements_every_import_of_the_host_interface_and_the_sdk_declares_none_other()
    {
        var host = new FaasmHost(new WorkerChannel(new Frames(Stream.Null, Stream.Null)), () => throw new InvalidOperationException());
        var declared = File.ReadAllLines(Path.Combine(RepoPaths.Root, "sdk", "faasm", "imports.txt"))
            .Where(line => line.StartsWith("__faasm_", StringComparison.Ordinal))
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

        Assert.Empty(host.Missing);
        Assert.All(declared, import =>
        {
            Assert.True(FaasmHostInterface.Imports.TryGetValue(import.Key, out var provided), $"the SDK declares {import.Key}, which Fleet does not provide");
            var signature = $"({string.Join(',', Enumerable.Repeat("i32", provided.Parameters))})->{(provided.ReturnsInt ? "i32" : "()")}";
            Assert.Equal(signature, import.Value);
        });
    }

    private static IEnumerable<string> Exports(byte[] wasm)
    {
        using var engine = new Engine();
        using var module = Module.FromBytes(engine, "m", wasm);
        return [.. module.Exports.Select(export => export.Name)];
    }

    /// <summary>A command module whose memory is not exported: (memory 1) and an exported _start.</summary>
    private static byte[] NoMemoryExport() => [.. Module.ConvertText("""(module (memory 1) (func (export "_start")))""")];
}
