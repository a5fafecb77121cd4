using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// <c>Facades:Faasm</c>. Its own listener is upstream's upload port, 8002 (set in the hosts' defaults); its invoke
/// route, <c>POST /</c>, answers on the main port (8080, Faasm's own) as well.
/// </summary>
public sealed class FaasmOptions : FacadeOptions
{
    public const string SectionName = "Facades:Faasm";

    /// <summary>How long a sync call may take before it is answered 500 <c>No response from function</c> (upstream's 60 s); it runs on.</summary>
    public int MessageTimeoutSeconds { get; set; } = 60;

    /// <summary>How long an async call's status stays pollable after it completes: 8 h, about upstream's result expiry.</summary>
    public int ResultRetentionSeconds { get; set; } = 8 * 3600;

    /// <summary>Memory of each instance of an uploaded function.</summary>
    public int FunctionMemoryMB { get; set; } = 128;

    /// <summary>Upstream's CAPTURE_STDOUT: prepend a call's stdout to its output. Off, as upstream's default.</summary>
    public bool CaptureStdout { get; set; }
}
