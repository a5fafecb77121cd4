using System.Text;
using Fleet.Contracts;
using Microsoft.Extensions.Options;

namespace Fleet.Storage.Blobs;

/// <summary>
/// The one rule for payloads too large to ride the broker: an input or output above
/// <see cref="StoreOptions.InlinePayloadBytes"/> is put in the blob store, expiring with its call's record, and travels
/// in messages and records as its hash. Reading it back gives the JSON text or the bytes it was.
/// </summary>
public sealed class PayloadBlobs(IFleetStore store, IOptions<StoreOptions> options, TimeProvider time)
{
    /// <summary>The payload as it may travel: itself when small enough (or a blob already), else a blob put now.</summary>
    public async Task<Payload> SpillAsync(Payload payload, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var size = payload.Bytes?.Length ?? (payload.Json is { } json ? Encoding.UTF8.GetByteCount(json) : 0);
        if (size <= options.Value.InlinePayloadBytes)
        {
            return payload;
        }

        var bytes = payload.Bytes ?? Encoding.UTF8.GetBytes(payload.Json!);
        var hash = BlobHash.Of(bytes);
        await store.Blobs.PutAsync(hash, bytes, expiresAt, cancellationToken);
        return Payload.OfBlob(hash, json: payload.Bytes is null);
    }

    /// <summary>Each item as it may travel (<see cref="SpillAsync(Payload, DateTimeOffset, CancellationToken)"/>); null stays null.</summary>
    public async Task<IReadOnlyList<Payload>?> SpillAsync(
        IReadOnlyList<Payload>? items, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (items is null)
        {
            return null;
        }

        var spilled = new Payload[items.Count];
        for (var index = 0; index < items.Count; index++)
        {
            spilled[index] = await SpillAsync(items[index], expiresAt, cancellationToken);
        }

        return spilled;
    }

    /// <summary>The payload with its blob read back as JSON text or bytes; null when the blob is gone (expired or never put).</summary>
    public async Task<Payload?> ResolveAsync(Payload payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.BlobHash is not { } hash)
        {
            return payload;
        }

        return await store.Blobs.GetAsync(hash, time.GetUtcNow(), cancellationToken) is not { } bytes ? null
            : payload.BlobIsJson ? Payload.OfJson(Encoding.UTF8.GetString(bytes))
            : Payload.OfBytes(bytes);
    }
}
