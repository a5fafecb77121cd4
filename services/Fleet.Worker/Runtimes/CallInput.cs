namespace Fleet.Worker.Runtimes;

/// <summary>One item's input: JSON params text (json-handler) or bytes (bytes-handler).</summary>
internal sealed record CallInput
{
    private CallInput(string? json, ReadOnlyMemory<byte>? bytes)
    {
        Json = json;
        Bytes = bytes;
    }

    /// <summary>The params as JSON text; null for a bytes input. Empty or blank text is the empty object.</summary>
    public string? Json { get; }

    public ReadOnlyMemory<byte>? Bytes { get; }

    public static CallInput FromJson(string paramsJson) => new(paramsJson, null);

    public static CallInput FromBytes(ReadOnlyMemory<byte> input) => new(null, input);
}
