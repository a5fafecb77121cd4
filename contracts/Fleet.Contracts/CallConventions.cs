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

    public static bool IsKnown(string convention) => convention is JsonHandler or BytesHandler or FaasmPython;

    /// <summary>Whether the convention's input and output are bytes rather than JSON text.</summary>
    public static bool TakesBytes(string convention) => convention is BytesHandler or FaasmPython;
}
