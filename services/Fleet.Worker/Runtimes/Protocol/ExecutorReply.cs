using System.Text.Json;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>
/// An executor's final answer to an init or call frame: <c>{"op":"reply","id":N,…}</c> with the one item's fields at the
/// top, or a batch's under <c>items</c>, and the call's captured <c>stdout</c> and <c>stderr</c>.
/// </summary>
internal sealed record ExecutorReply(long Id, ReplyItem Outcome, string Stdout, string Stderr, IReadOnlyList<ReplyItem>? Items)
    : ExecutorMessage(Id)
{
    public bool Ok => Outcome.Ok;

    public string Error => Outcome.Error;

    public static ExecutorReply From(long id, JsonElement root) => new(
        id,
        ReplyItem.From(root),
        ReplyItem.Text(root, "stdout"),
        ReplyItem.Text(root, "stderr"),
        root.TryGetProperty("items", out var items) ? items.EnumerateArray().Select(ReplyItem.From).ToList() : null);
}
