namespace Fleet.Gateway.Facades.Dcp;

/// <summary>Why a DCP request is not authenticated; both answer 401, with different bodies.</summary>
internal enum DcpAuthFailure
{
    /// <summary>Authenticated: no failure.</summary>
    None,

    /// <summary>No Authorization header, or a scheme other than Basic and Bearer.</summary>
    NotProvided,

    /// <summary>Basic or Bearer, but unparsable, a wrong password, or an unknown key.</summary>
    Invalid,
}
