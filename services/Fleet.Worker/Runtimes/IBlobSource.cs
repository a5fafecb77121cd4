namespace Fleet.Worker.Runtimes;

/// <summary>Where a worker reads blobs by hash: code packages it has not unpacked yet, and inputs too large for the broker (the store, in production). Null: no such blob.</summary>
internal interface IBlobSource
{
    Task<byte[]?> GetAsync(string hash, CancellationToken cancellationToken);
}
