namespace Fleet.Placement;

/// <summary>Where an invocation goes: a worker's own queue, the shared queue, or nowhere (refused).</summary>
public sealed record PlacementDecision(Uri? Address, string WorkerId, bool Warm)
{
    public static readonly PlacementDecision Refused = new(null, "", false);

    public bool IsRefused => Address is null;

    public bool IsQueued => Address is not null && WorkerId.Length == 0;
}
