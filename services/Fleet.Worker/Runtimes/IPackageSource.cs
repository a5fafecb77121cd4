namespace Fleet.Worker.Runtimes;

/// <summary>Where a worker fetches code packages it has not unpacked yet (the store, in production).</summary>
internal interface IPackageSource
{
    Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken);
}
