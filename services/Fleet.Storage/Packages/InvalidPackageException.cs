namespace Fleet.Storage.Packages;

/// <summary>A code package that is not a safe tar (or gzip tar) archive; the message says why, briefly.</summary>
public sealed class InvalidPackageException : Exception
{
    public InvalidPackageException()
    {
    }

    public InvalidPackageException(string message)
        : base(message)
    {
    }

    public InvalidPackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
