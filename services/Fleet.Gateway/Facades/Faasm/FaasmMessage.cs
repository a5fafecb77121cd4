using System.Text;
using System.Text.Json;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// The fields of Faasm's invoke message that Fleet reads (upstream's <c>jsonToMessage</c>: absent fields take their
/// defaults, unknown ones are ignored, and so are values of the wrong type).
/// </summary>
internal sealed record FaasmMessage
{
    public string User { get; private init; } = "";

    public string Function { get; private init; } = "";

    /// <summary>The call's input: the UTF-8 bytes of <c>input_data</c>, or the JSON text of a value that is no string.</summary>
    public byte[] Input { get; private init; } = [];

    public bool Async { get; private init; }

    public bool Status { get; private init; }

    public long Id { get; private init; }

    public bool Python { get; private init; }

    public string PyUser { get; private init; } = "";

    public string PyFunc { get; private init; } = "";

    /// <summary>The Python function to call instead of <c>faasm_main</c>, with the input bytes (chained calls name it).</summary>
    public string PyEntry { get; private init; } = "";

    public bool Mpi { get; private init; }

    public long Type { get; private init; }

    public bool Flush { get; private init; }

    /// <summary>The function a call runs: <c>py_user/py_func</c> for upstream's Python form, else <c>user/function</c>.</summary>
    public (string User, string Function) Target =>
        Python && PyUser.Length > 0 && PyFunc.Length > 0 ? (PyUser, PyFunc) : (User, Function);

    /// <summary>The message, or null when the body is not one JSON object.</summary>
    public static FaasmMessage? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new FaasmMessage
            {
                User = Text(root, "user"),
                Function = Text(root, "function"),
                Input = root.TryGetProperty("input_data", out var input) && input.ValueKind != JsonValueKind.Null
                    ? Encoding.UTF8.GetBytes(input.ValueKind == JsonValueKind.String ? input.GetString()! : input.GetRawText())
                    : [],
                Async = Flag(root, "async"),
                Status = Flag(root, "status"),
                Id = Number(root, "id"),
                Python = Flag(root, "python"),
                PyUser = Text(root, "py_user"),
                PyFunc = Text(root, "py_func"),
                PyEntry = Text(root, "py_entry"),
                Mpi = Flag(root, "mpi"),
                Type = Number(root, "type"),
                Flush = Flag(root, "flush"),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}
