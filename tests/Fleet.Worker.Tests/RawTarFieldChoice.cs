namespace Fleet.Worker.Tests;

/// <summary>A header field the fuzzer may rewrite, with the values it picks from (null: a random number of the field's width).</summary>
internal sealed record RawTarFieldChoice(TarField Field, Func<Random, byte[]>? Values);
