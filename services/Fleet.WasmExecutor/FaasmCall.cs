namespace Fleet.WasmExecutor;

/// <summary>What one call of a module has: its input, the output it set, its chained calls and its state mapped into memory.</summary>
internal sealed class FaasmCall(byte[] input, int maxCapturedBytes)
{
    public byte[] Input { get; } = input;

    /// <summary>The bytes last passed to <c>__faasm_write_output</c>; null when none was.</summary>
    public byte[]? Output { get; set; }

    /// <summary>Chained calls by the id given to the module: their return code and output.</summary>
    public Dictionary<int, (int ReturnCode, byte[] Output)> Chained { get; } = [];

    /// <summary>State values a module reads through a pointer (<c>__faasm_read_state_ptr</c>): where they are in its memory.</summary>
    public Dictionary<string, (int Pointer, int Length)> Mapped { get; } = new(StringComparer.Ordinal);

    public CapturedStream Stdout { get; } = new(maxCapturedBytes);

    public CapturedStream Stderr { get; } = new(maxCapturedBytes);
}

/// <summary>What a module writes to stdout or stderr, up to a limit (the rest is dropped).</summary>
internal sealed class CapturedStream(int maxBytes)
{
    private readonly List<byte> _bytes = [];

    public void Write(ReadOnlySpan<byte> data) => _bytes.AddRange(data[..Math.Min(Math.Max(0, maxBytes - _bytes.Count), data.Length)]);

    public string Text() => System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes));
}
