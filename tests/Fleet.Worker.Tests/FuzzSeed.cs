namespace Fleet.Worker.Tests;

/// <summary>A valid archive that fuzzing starts from: its tar bytes, whether it is sent gzip-compressed, where its headers are.</summary>
internal sealed record FuzzSeed(string Name, byte[] Tar, bool Gzip)
{
    public IReadOnlyList<int> Headers { get; } = RawTar.HeaderOffsets(Tar);
}
