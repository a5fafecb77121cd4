namespace Fleet.Core.Jobs;

/// <summary>
/// What every slice of a job runs: <paramref name="Source"/> in <paramref name="Runtime"/> (a JavaScript function
/// expression on node, or Python defining <c>work</c> on python), called with each slice's datum and then
/// <paramref name="ArgsJson"/>'s items (a JSON array).
/// </summary>
public sealed record WorkFunction(string Runtime, string Source, string ArgsJson);
