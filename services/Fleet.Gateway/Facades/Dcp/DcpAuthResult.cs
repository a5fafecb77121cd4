namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// The outcome of reading a DCP Authorization header: the identity (<c>0x</c> + 40 lower-case hex), or why not and
/// the <c>error</c> text dcp-rest's 401 body carries (<c>{"error":"…"}</c>). The texts live here only.
/// </summary>
internal sealed record DcpAuthResult
{
    public const string NotProvidedMessage = "Authentication method not provided";
    public const string InvalidMessage = "Invalid identity keystore or password";

    public static readonly DcpAuthResult NotProvided = new(null, DcpAuthFailure.NotProvided);
    public static readonly DcpAuthResult Invalid = new(null, DcpAuthFailure.Invalid);

    private DcpAuthResult(string? identity, DcpAuthFailure failure) => (Identity, Failure) = (identity, failure);

    public string? Identity { get; }

    public DcpAuthFailure Failure { get; }

    public bool Succeeded => Failure == DcpAuthFailure.None;

    /// <summary>The 401 body's <c>error</c>; null on success.</summary>
    public string? ErrorMessage => Failure switch
    {
        DcpAuthFailure.NotProvided => NotProvidedMessage,
        DcpAuthFailure.Invalid => InvalidMessage,
        _ => null,
    };

    public static DcpAuthResult Authenticated(string identity) => new(identity, DcpAuthFailure.None);
}
