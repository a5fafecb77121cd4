namespace Fleet.Worker.Runtimes.HostCalls;

/// <summary>The worker's answer to a host request: done, with an optional JSON value, or failed with a reason.</summary>
internal sealed record HostReply(bool Ok, string ValueJson, string Error)
{
    public static HostReply Done { get; } = new(true, "", "");

    public static HostReply Failed(string error) => new(false, "", error);
}
