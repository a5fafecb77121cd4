using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary><c>Facades:Dcp</c>: dcp-rest's API under <c>/api/v0</c>, on the main listeners and on its own port (1234 upstream).</summary>
public sealed class DcpOptions : FacadeOptions
{
    public const string SectionName = "Facades:Dcp";

    /// <summary>Room for a job of 100,000 slices of a few hundred bytes each in one request.</summary>
    public DcpOptions() => MaxBodyBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Who may issue identities (<c>POST /api/v0/identity</c>): a request with <c>Authorization: Bearer</c> this token.
    /// Empty: requests from loopback only.
    /// </summary>
    public string AdminToken { get; set; } = "";

    /// <summary>The largest slice datum, in bytes of its JSON; a larger one is refused (413).</summary>
    public int MaxSliceBytes { get; set; } = 1024 * 1024;

    /// <summary>Results read from the store per query while a reply is written: a reply never holds more of a job at once.</summary>
    public int ResultPageSize { get; set; } = 1000;

    /// <summary>Jobs <c>GET /api/v0/jobs</c> lists, newest first, at most.</summary>
    public int MaxListedJobs { get; set; } = 1000;

    /// <summary>Failed slices a status reply lists with their errors, at most (all are counted).</summary>
    public int MaxListedFailures { get; set; } = 100;
}
