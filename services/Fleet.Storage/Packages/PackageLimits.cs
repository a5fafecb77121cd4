namespace Fleet.Storage.Packages;

/// <summary>
/// How much a code package may unpack to. The gateway refuses a larger package at create time and the worker refuses it
/// again when unpacking, so both must read the same section ("Packages", bound and validated at start-up by
/// <c>AddFleetStore</c>). Init-only: an extraction under way never sees the limits change.
/// </summary>
public sealed class PackageLimits
{
    public const string SectionName = "Packages";

    /// <summary>The defaults, for callers without configuration (tools and tests).</summary>
    public static PackageLimits Default { get; } = new();

    /// <summary>
    /// Entries (files, directories, links) a package may hold. Each costs an inode and a system call or two when unpacked
    /// and again for each spare instance it is mirrored into; 100,000 empty files are a cheap upload and not cheap to unpack.
    /// </summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>
    /// Bytes a package may unpack to: the data of its files, with each hard link counted at the size of its target
    /// (extraction copies the target where it cannot link it).
    /// </summary>
    public long MaxUnpackedBytes { get; init; } = 256L * 1024 * 1024;
}
