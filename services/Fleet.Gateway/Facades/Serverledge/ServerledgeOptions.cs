using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>
/// <c>Facades:Serverledge</c>. Its own listener is upstream's default port, 1323 (set in the hosts' defaults);
/// <see cref="FacadeOptions.MaxBodyBytes"/> bounds a /create, which carries the whole package base64-encoded.
/// </summary>
public sealed class ServerledgeOptions : FacadeOptions
{
    public const string SectionName = "Facades:Serverledge";

    /// <summary>When set (from the environment: Facades__Serverledge__AccessToken), every route needs <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>Larger invoke bodies (essentially their Params) are answered 413: 6 MiB, as a result may have.</summary>
    public long MaxInvokeBodyBytes { get; set; } = 6L * 1024 * 1024;
}
