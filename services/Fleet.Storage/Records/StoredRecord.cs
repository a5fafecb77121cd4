namespace Fleet.Storage.Records;

/// <summary>One record of <see cref="IRecordStore.ListAsync"/>: its key, value and expiry (null: never expires).</summary>
public sealed record StoredRecord(string Key, byte[] Value, DateTimeOffset? ExpiresAt);
