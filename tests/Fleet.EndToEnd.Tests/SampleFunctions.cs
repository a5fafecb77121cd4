namespace Fleet.EndToEnd.Tests;

/// <summary>Function code the tests deploy, as users write it.</summary>
internal static class SampleFunctions
{
    /// <summary>The seed's isprime example (serverledge examples/isprime.py).</summary>
    public static readonly Dictionary<string, string> IsPrime = new()
    {
        ["isprime.py"] = """
            def handler(params, context):
                n = int(params["n"])
                return {"IsPrime": all(n % i for i in range(2, n // 2))}
            """,
    };

    /// <summary>A call that takes 50 ms and doubles its parameter n (<c>slow.work</c>), for calls still running when a worker dies.</summary>
    public static readonly Dictionary<string, string> Slow = new()
    {
        ["slow.py"] = """
            import time

            def work(params, context):
                time.sleep(0.05)
                return int(params["n"]) * 2
            """,
    };

    /// <summary>Faasm's Python echo, as its documentation gives it (faasm/python func/python/echo.py).</summary>
    public const string FaasmEcho = """
        from pyfaasm.core import get_input_len, read_input, write_output

        def faasm_main():
            n = get_input_len()
            if n == 0:
                return 0
            write_output(read_input(n))
            return 0
        """;

    public static readonly Dictionary<string, string> Python = new()
    {
        ["fn.py"] = """
            import socket, os
            calls = 0

            def echo(params, context):
                global calls
                calls += 1
                print("hello from stdout")
                return {"params": params, "context": context, "calls": calls}

            def double(params, context):
                return int(params["n"]) * 2

            def text(params, context):
                return "hi"

            def nothing(params, context):
                return None

            def fail(params, context):
                raise ValueError("boom")

            def nan(params, context):
                return {"value": float("nan")}

            def big(params, context):
                return "x" * int(params["chars"])

            def forever(params, context):
                while True:
                    pass

            def network(params, context):
                try:
                    socket.create_connection(("127.0.0.1", int(params["port"])), timeout=2).close()
                    return "connected"
                except OSError as e:
                    return "blocked: " + type(e).__name__

            def secrets(params, context):
                return {"env": sorted(os.environ.keys()), "work": os.path.exists("/work"), "root": os.path.exists("/root/.nuget")}
            """,
    };

    public static readonly Dictionary<string, string> Node = new()
    {
        ["hello.js"] = """
            module.exports = async (params, ctx) => {
              await new Promise(r => setTimeout(r, 5));
              console.log("node says hi");
              return { Hello: params.name ?? "world", Ctx: ctx };
            };
            """,
    };
}
