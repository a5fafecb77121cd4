namespace Fleet.Gateway.Facades.Serverledge;

internal sealed record StatusResponse(
    string Url, IReadOnlyDictionary<string, int> AvailableWarmContainers, int AvailableMemMB, double AvailableCPUs,
    long DropCount, Coordinates Coordinates);

/// <summary>Vivaldi network coordinates upstream uses for offloading; one fleet, one constant point.</summary>
internal sealed record Coordinates(double[] Vec, double Error, double Adjustment, double Height)
{
    public static readonly Coordinates Origin = new([0, 0, 0], 1.5, 0, 1e-05);
}
