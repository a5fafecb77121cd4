namespace Fleet.Contracts;

/// <summary>
/// How an executor calls a function (<see cref="FunctionSpec.Convention"/>), chosen when the instance loads it (the
/// init frame's "convention").
/// </summary>
public static class CallConventions
{
    /// <summary>handler(params, context): a JSON object in, the JSON of its return value out (Serverledge's functions).</summary>
    public const string JsonHandler = "json-handler";

    /// <summary>handler(input, context): bytes in, bytes and an integer return code out (Faasm's Python functions).</summary>
    public const string BytesHandler = "bytes-handler";

    /// <summary>
    /// Faasm's Python contract: the package's module (the handler, <c>function</c>) loaded once per instance, its
    /// <c>faasm_main()</c> called without arguments (an entry named by the call with the input bytes), input and output
    /// through <c>pyfaasm.core</c>, the return value (or exit status) the return code.
    /// </summary>
    public const string FaasmPython = "faasm-python";

    /// <summary>
    /// Faasm's WebAssembly contract: the package's module (the handler, <c>function</c>: <c>function.wasm</c>, compiled
    /// by the registry) run afresh for every call, its <c>_start</c> (main) called (an entry: that export or function
    /// table entry), input, output, state and chained calls through Faasm's host interface, the exit status (or the
    /// entry's return) the return code.
    /// </summary>
    public const string FaasmWasm = "faasm-wasm";

    /// <summary>
    /// Fastmap's contract (Python only): the package holds a dill-pickled function (<c>fastmap/func.dill</c>), the
    /// user's local modules under <c>src/</c> and <c>fastmap/environment.json</c> (the modules to import, the
    /// requirements, the client's Python version), all loaded once per instance. A call's input is a batch (gzip of a
    /// dill pickle of an iterable), its output a msgpack map whose <c>status</c> is <c>BATCH_PROCESSED</c> (with
    /// <c>results</c>, gzip of a dill pickle of <c>{"results": [...]}</c>), <c>PROCESS_ERROR</c> or
    /// <c>INITIALIZATION_ERROR</c>; the pickles are opened only inside the sandbox.
    /// </summary>
    public const string FastmapMap = "fastmap-map";

    /// <summary>
    /// DCP's work functions (Node and Python): the package holds <c>dcp/work.json</c>, <c>{"function": source, "args":
    /// [...]}</c>, loaded once per instance (Node evaluates the source as an expression in a realm of its own with only
    /// JavaScript's built-ins, <c>progress</c> and <c>console</c>; Python runs it in a module of its own and takes its
    /// <c>work</c>). A call's params are one slice's datum, any JSON value; its result is the JSON of
    /// <c>fn(datum, ...args)</c> (awaited; <c>undefined</c> is null). A batch is several slices, each failing alone.
    /// </summary>
    public const string DcpWork = "dcp-work";

    public static bool IsKnown(string convention) => convention is JsonHandler or BytesHandler or FaasmPython or FaasmWasm or FastmapMap or DcpWork;

    /// <summary>Whether the convention's input and output are bytes rather than JSON text.</summary>
    public static bool TakesBytes(string convention) => convention is BytesHandler or FaasmPython or FaasmWasm or FastmapMap;

    /// <summary>Faasm's conventions, whose functions read the shared files (Faasm's <c>faasm://</c> paths).</summary>
    public static bool IsFaasm(string convention) => convention is FaasmPython or FaasmWasm;
}
