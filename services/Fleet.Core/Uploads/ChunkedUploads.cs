using System.Text.Json;
using Fleet.Core.Records;
using Fleet.Storage;
using Fleet.Storage.Blobs;

namespace Fleet.Core.Uploads;

/// <summary>
/// Uploads that come in parts, strictly in order, possibly through different gateways: each part is kept as a blob
/// that expires, and a manifest record says which have arrived. Part 0 starts the upload afresh (stale parts are
/// dropped); once the last part is in, the parts are read back joined and the manifest goes. An abandoned upload
/// expires with its parts.
/// </summary>
internal sealed class ChunkedUploads(IFleetStore store, FacadeRecords records)
{
    private const string Unreachable = "the blob store cannot be reached";

    /// <param name="realm">The facade's name for its uploads (its record namespace).</param>
    /// <param name="key">The upload's key within the realm (the tenant's and the payload's names).</param>
    /// <param name="maxBytes">The most the joined parts may hold.</param>
    public async Task<UploadStep> AddPartAsync(
        string realm, string key, int index, int count, byte[] part, long maxBytes, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            return UploadStep.Refused($"part {index} of {count} is out of range");
        }

        if (count == 1)
        {
            return part.Length > maxBytes ? UploadStep.TooLarge(maxBytes) : UploadStep.Complete(part);
        }

        var space = $"uploads/{realm}";
        var manifest = index == 0 ? new Manifest(count, 0, []) : await ManifestAsync(space, key, cancellationToken);
        var hash = BlobHash.Of(part);
        if (manifest is not null && index == manifest.Parts.Count - 1 && manifest.Parts[^1] == hash)
        {
            return UploadStep.Stored; // the same part again: nothing changes
        }

        if (manifest is null || manifest.Count != count || manifest.Parts.Count != index)
        {
            return UploadStep.Refused(manifest is null
                ? $"part {index} of {count} came before part 0 (or after the upload expired)"
                : $"part {index} of {count} is out of order: {manifest.Parts.Count} of {manifest.Count} parts have arrived");
        }

        if (manifest.Bytes + part.Length > maxBytes)
        {
            await records.DeleteAsync(space, key, cancellationToken);
            return UploadStep.TooLarge(maxBytes);
        }

        var now = records.Now;
        await StoreCalls.GuardedAsync(Unreachable, () => store.Blobs.PutAsync(hash, part, now + timeToLive, cancellationToken));
        manifest = manifest with { Bytes = manifest.Bytes + part.Length, Parts = [.. manifest.Parts, hash] };
        if (manifest.Parts.Count < count)
        {
            await records.PutAsync(space, key, JsonSerializer.SerializeToUtf8Bytes(manifest, CoreJsonContext.Default.Manifest), timeToLive, cancellationToken);
            return UploadStep.Stored;
        }

        await records.DeleteAsync(space, key, cancellationToken);
        var joined = new byte[manifest.Bytes];
        var at = 0;
        foreach (var partHash in manifest.Parts)
        {
            var bytes = partHash == hash ? part
                : await StoreCalls.GuardedAsync(Unreachable, () => store.Blobs.GetAsync(partHash, now, cancellationToken));
            if (bytes is null || at + bytes.Length > joined.Length)
            {
                return UploadStep.Refused("an earlier part expired before the last arrived");
            }

            bytes.CopyTo(joined, at);
            at += bytes.Length;
        }

        return UploadStep.Complete(joined);
    }

    private async Task<Manifest?> ManifestAsync(string space, string key, CancellationToken cancellationToken) =>
        await records.GetAsync(space, key, cancellationToken) is { } value ? JsonSerializer.Deserialize(value, CoreJsonContext.Default.Manifest) : null;

    /// <summary>An upload's parts so far: how many it has, their total size and their blobs' hashes, in order.</summary>
    internal sealed record Manifest(int Count, long Bytes, IReadOnlyList<string> Parts);
}

/// <summary>What a part did: stored (more to come), completed the upload (the joined bytes), or was refused (why).</summary>
public sealed record UploadStep
{
    public static readonly UploadStep Stored = new();

    public byte[]? Joined { get; private init; }

    public string? Problem { get; private init; }

    /// <summary>The parts together are larger than the limit (then <see cref="Problem"/> says so too).</summary>
    public bool IsTooLarge { get; private init; }

    public static UploadStep Complete(byte[] joined) => new() { Joined = joined };

    public static UploadStep Refused(string problem) => new() { Problem = problem };

    public static UploadStep TooLarge(long maxBytes) => new() { Problem = $"the upload is larger than {maxBytes} bytes", IsTooLarge = true };
}
