using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.Catalog;

namespace Fleet.Worker.Tests;

/// <summary>
/// A runtime whose executor is a scripted fake (Python, given inline with -c, run in the real sandbox): it answers init,
/// then for each call plays the steps in the call's params.script (the first item's for a batch):
/// <c>{"send": frame}</c> writes a frame ("$call" stands for the call's id), <c>{"raw": base64}</c> writes bytes as they
/// are, <c>{"pad": {"frame": frame, "bytes": n}}</c> sends the frame with n bytes of padding, <c>{"receive": true}</c>
/// reads a frame, and <c>{"reply": fields}</c> sends the final reply (its result the JSON of the frames received) with
/// those fields added.
/// </summary>
internal sealed class FakeExecutor : IRuntime
{
    private const string Script = """
        import base64, json, sys
        IN = open(3, "rb", buffering=0)
        OUT = open(4, "wb", buffering=0)

        def read(n):
            data = b""
            while len(data) < n:
                chunk = IN.read(n - len(data))
                if not chunk:
                    sys.exit(0)
                data += chunk
            return data

        def receive():
            return json.loads(read(int.from_bytes(read(4), "big")))

        def raw(data):
            while data:
                data = data[OUT.write(data):]

        def send(frame):
            body = json.dumps(frame).encode()
            raw(len(body).to_bytes(4, "big") + body)

        init = receive()
        send({"op": "reply", "id": init["id"], "ok": True})
        while True:
            call = receive()
            received = []
            for step in (call["items"][0] if "items" in call else call)["params"]["script"]:
                kind, value = next(iter(step.items()))
                if kind == "send":
                    send({name: call["id"] if field == "$call" else field for name, field in value.items()})
                elif kind == "raw":
                    raw(base64.b64decode(value))
                elif kind == "pad":
                    send(dict(value["frame"], padding="x" * value["bytes"]))
                elif kind == "receive":
                    received.append(receive())
                elif kind == "reply":
                    send(dict({"op": "reply", "id": call["id"], "ok": True, "result": json.dumps(received)}, **value))
        """;

    public string Name => "fake";

    public bool LimitsAddressSpace => true;

    public bool SupportsSpares => false;

    public IReadOnlyList<string> Command(SandboxProfile profile, string executorDirectory, int memoryMB) =>
        [profile.PythonPath, "-I", "-S", "-B", "-c", Script];
}
