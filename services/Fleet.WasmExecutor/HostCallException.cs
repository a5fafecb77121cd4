namespace Fleet.WasmExecutor;

/// <summary>The worker refused or failed a host call, or the module passed something the host interface cannot take.</summary>
internal sealed class HostCallException(string message) : Exception(message);
