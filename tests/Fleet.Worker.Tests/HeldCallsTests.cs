namespace Fleet.Worker.Tests;

public sealed class HeldCallsTests
{
    [Fact]
    public void Holds_are_counted_per_ledger_until_disposed_and_empty_ledgers_are_left_out()
    {
        var held = new HeldCalls();
        var a1 = held.Take("a");
        var a2 = held.Take("a");
        using (held.Take("b"))
        {
            Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }, held.Snapshot());
        }

        a1.Dispose();
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, held.Snapshot());
        a2.Dispose();
        Assert.Empty(held.Snapshot());
    }
}
