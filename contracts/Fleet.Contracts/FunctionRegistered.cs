namespace Fleet.Contracts;

/// <summary>
/// Published when a function is registered: workers unpack its package ahead of its first call (when it is no larger
/// than their <c>Worker:PrefetchPackageBytes</c>), so a first call does not wait for the store. Best effort: a worker
/// that misses it fetches the package at the first call, as before.
/// </summary>
public sealed record FunctionRegistered
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Generation { get; init; }

    public required string PackageHash { get; init; }

    public required long PackageBytes { get; init; }
}
