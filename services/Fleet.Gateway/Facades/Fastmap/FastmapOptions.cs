using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary><c>Facades:Fastmap</c>. It has no upstream port (its clients name a cloud URL): the main listeners serve it.</summary>
public sealed class FastmapOptions : FacadeOptions
{
    public const string SectionName = "Facades:Fastmap";

    public FastmapOptions() => MaxBodyBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Who may issue secrets (<c>POST /api/v1/secret</c>): a request with <c>Authorization: Bearer</c> this token. Empty:
    /// requests from loopback only.
    /// </summary>
    public string AdminToken { get; set; } = "";

    /// <summary>The most a function's payload may hold, uploaded (all parts joined) and unzipped alike; larger: 413.</summary>
    public long MaxPayloadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long an unfinished upload's parts are kept.</summary>
    public int UploadTimeToLiveSeconds { get; set; } = 600;

    /// <summary>A run with no batch for this long is over; a function none of whose runs is live after it is deleted.</summary>
    public int RunIdleSeconds { get; set; } = 600;

    /// <summary>Memory of each instance of a function.</summary>
    public int FunctionMemoryMB { get; set; } = 512;

    /// <summary>How long one batch may run.</summary>
    public int BatchTimeoutSeconds { get; set; } = 300;

    /// <summary>Instances started for a function as soon as its upload completes (its environment prepared), before the first batch.</summary>
    public int PreparedInstances { get; set; } = 2;
}
