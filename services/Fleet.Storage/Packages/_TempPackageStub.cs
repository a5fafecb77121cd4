namespace Fleet.Storage.Packages;
public static class PackageArchive { public static void Validate(byte[] bytes) { if (bytes.Length == 0) throw new InvalidPackageException("empty"); } }
public sealed class InvalidPackageException(string message) : Exception(message);
