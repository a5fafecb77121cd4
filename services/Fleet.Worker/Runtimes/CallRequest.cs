using Fleet.Contracts;
using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.Runtimes;

/// <summary>What to run on an instance: one input, or a batch of inputs answered one outcome each.</summary>
internal sealed record CallRequest
{
    public required IReadOnlyList<CallInput> Items { get; init; }

    /// <summary>Whether the items go as one batch (a batch of one too), their outcomes in <see cref="Execution.Items"/>.</summary>
    public bool IsBatch { get; init; }

    /// <summary>Capture the call's stdout and stderr (for a batch, all items' together).</summary>
    public bool ReturnOutput { get; init; }

    /// <summary>One of <see cref="CallConventions"/>: how the instance loads and calls the function.</summary>
    public string Convention { get; init; } = CallConventions.JsonHandler;

    /// <summary>An entry point other than the function's handler, for chained calls (<see cref="InvokeFunction.Entry"/>); null: the convention's default.</summary>
    public string? Entry { get; init; }

    /// <summary>Answers the function's host requests during the call.</summary>
    public IHostCallHandler HostCalls { get; init; } = UnavailableHostCalls.Instance;

    public static CallRequest Json(string paramsJson, bool returnOutput) => new() { Items = [CallInput.FromJson(paramsJson)], ReturnOutput = returnOutput };

    public static CallRequest Bytes(ReadOnlyMemory<byte> input, bool returnOutput) => new()
    {
        Items = [CallInput.FromBytes(input)],
        ReturnOutput = returnOutput,
        Convention = CallConventions.BytesHandler,
    };
}
