using Wasmtime;

namespace Fleet.WasmExecutor;

/// <summary>The calling module's memory, bounds-checked: a pointer or length outside it fails the call with the reason.</summary>
internal static class ModuleMemory
{
    public static Span<byte> Span(Caller caller, long pointer, int length)
    {
        var memory = caller.GetMemory("memory") ?? throw new HostCallException("the module exports no memory");
        var address = (uint)pointer;
        return length >= 0 && address + (long)length <= memory.GetLength()
            ? memory.GetSpan(address, length)
            : throw new HostCallException($"{length} bytes at {address} are outside the module's memory");
    }
}
