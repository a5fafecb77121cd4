namespace Fleet.Contracts;

/// <summary>The namespaces facades keep their functions in: the same name in two namespaces is two functions.</summary>
public static class FunctionNamespaces
{
    /// <summary>The Serverledge facade's functions, and every function stored before namespaces existed.</summary>
    public const string Serverledge = "serverledge";

    /// <summary>
    /// No functions: the state namespace of Faasm's shared files (<c>PUT /file</c>), which every Faasm function may read
    /// as <c>faasm://&lt;path&gt;</c> and none may write.
    /// </summary>
    public const string SharedFiles = "shared-files";
}
