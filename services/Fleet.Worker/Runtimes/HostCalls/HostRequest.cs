using System.Text.Json;

namespace Fleet.Worker.Runtimes.HostCalls;

/// <summary>
/// A request an executor sent during a call: <c>{"op":"host","id":N,"call":"progress",…}</c>. The worker has checked
/// its id and size; its fields are the function's own and not yet validated.
/// </summary>
/// <param name="Frame">The whole frame, detached from the read buffer.</param>
internal sealed record HostRequest(long Id, string Call, JsonElement Frame);
