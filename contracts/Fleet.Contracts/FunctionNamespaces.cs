namespace Fleet.Contracts;

/// <summary>The namespaces facades keep their functions in: the same name in two namespaces is two functions.</summary>
public static class FunctionNamespaces
{
    /// <summary>The Serverledge facade's functions, and every function stored before namespaces existed.</summary>
    public const string Serverledge = "serverledge";
}
