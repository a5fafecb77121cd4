namespace Fleet.Worker.Tests;

/// <summary>Where a field lies in a 512-byte tar header.</summary>
internal readonly record struct TarField(int Offset, int Length);
