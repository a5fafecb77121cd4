using System.Formats.Tar;
using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Wasm;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// The registry's rules for WebAssembly functions, whichever facade registers them: faasm-wasm and the wasm runtime
/// only together, and the compiled code in a stored package always the registry's own, never what the package brought.
/// </summary>
public sealed class WasmRegistrationTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private FunctionRegistry Registry => fleet.Services.GetRequiredService<FunctionRegistry>();

    [Theory]
    [InlineData(Runtimes.Wasm, CallConventions.FaasmWasm, null)]
    [InlineData(Runtimes.Wasm, CallConventions.BytesHandler, "WebAssembly runs with the faasm-wasm convention, and faasm-wasm runs WebAssembly only")]
    [InlineData(Runtimes.Python, CallConventions.FaasmWasm, "WebAssembly runs with the faasm-wasm convention, and faasm-wasm runs WebAssembly only")]
    public async Task WebAssembly_and_the_faasm_wasm_convention_go_together(string runtime, string convention, string? refused)
    {
        var registration = await Registry.RegisterAsync(
            Registration(WasmFunctions.Package((WasmModules.ModuleFile, WasmFunctions.Demo("hello")))) with { Runtime = runtime, Convention = convention },
            TestContext.Current.CancellationToken);

        Assert.Equal(refused, registration.Created is null ? registration.Reason : null);
    }

    [Fact]
    public async Task Compiled_code_a_package_brings_is_replaced_by_the_registrys_own()
    {
        var module = WasmFunctions.Demo("hello");
        byte[] planted = [0xde, 0xad, 0xbe, 0xef];
        var registration = await Registry.RegisterAsync(
            Registration(WasmFunctions.Package((WasmModules.ModuleFile, module), (WasmModules.CompiledFile, planted), ("other.so", planted))),
            TestContext.Current.CancellationToken);

        var stored = Files(await Registry.PackageAsync(registration.Created!, TestContext.Current.CancellationToken) ?? []);

        Assert.Equal([WasmModules.CompiledFile, WasmModules.ModuleFile], stored.Keys.Order());
        Assert.Equal(WasmModules.Compile(module).Compiled, stored[WasmModules.CompiledFile]);
    }

    [Fact]
    public async Task A_registered_functions_package_is_unpacked_on_the_worker_before_its_first_call()
    {
        var pool = fleet.Services.GetRequiredService<Fleet.Worker.Runtimes.InstancePool>();
        var registration = await Registry.RegisterAsync(
            Registration(WasmFunctions.Package((WasmModules.ModuleFile, WasmFunctions.Demo("hello")))), TestContext.Current.CancellationToken);
        var unpacked = Path.Combine(pool.RunDirectory, "packages", registration.Created!.PackageHash, WasmModules.CompiledFile);

        for (var waited = 0; !File.Exists(unpacked) && waited < 200; waited++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(unpacked), "the package was not unpacked within 10 s of its registration");
    }

    [Fact]
    public async Task A_package_without_a_module_is_refused()
    {
        var registration = await Registry.RegisterAsync(Registration(WasmFunctions.Package(("main.c", "int main;"u8.ToArray()))), TestContext.Current.CancellationToken);

        Assert.Equal((RegistrationProblem.Package, "a WebAssembly package must hold the module as function.wasm"), (registration.Problem, registration.Reason));
    }

    private static FunctionRegistration Registration(byte[] package) => new()
    {
        Function = new FunctionRef("faasm/wasm", $"wasm-{Guid.NewGuid():N}"[..16]),
        Runtime = Runtimes.Wasm,
        Convention = CallConventions.FaasmWasm,
        Handler = "function",
        MemoryMB = 128,
        Package = package,
    };

    private static Dictionary<string, byte[]> Files(byte[] package)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(package));
        while (reader.GetNextEntry() is { DataStream: { } data } entry)
        {
            using var bytes = new MemoryStream();
            data.CopyTo(bytes);
            files[entry.Name] = bytes.ToArray();
        }

        return files;
    }
}
