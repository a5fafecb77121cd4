namespace Fleet.Core.Invocations;

/// <summary>Call priorities are numbers from 0 to <see cref="Highest"/>; anything else is taken as 0.</summary>
public static class CallPriority
{
    public const int Highest = 2;

    public static int Clamp(int priority) => priority is >= 0 and <= Highest ? priority : 0;
}
