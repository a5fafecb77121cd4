using Fleet.Contracts;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// Function code the tests deploy, as users write it. <c>work</c> counts its calls (a warm instance keeps counting)
/// and does what params.mode says: fail, loop forever, exit the process (now or just after replying), or print around
/// the protocol.
/// </summary>
internal static class Functions
{
    public static readonly Dictionary<string, string> Python = new()
    {
        ["fn.py"] = """
            import os
            import sys
            import threading

            calls = 0
            print("loading: \x00\x00\x00\x05hello")

            def work(params, context):
                global calls
                calls += 1
                mode = params.get("mode")
                if mode == "fail":
                    raise ValueError("boom")
                if mode == "loop":
                    while True:
                        pass
                if mode == "exit":
                    os._exit(3)
                if mode == "exit-after-reply":
                    threading.Timer(0.05, os._exit, (4,)).start()
                if mode == "print":
                    print("to stdout")
                    print("to stderr", file=sys.stderr)
                    sys.stdout.write("x" * 200000)
                    os.write(1, b"\x00\x00\x00\x07garbage")
                    os.write(2, b"\x00\x00\x00\x07garbage\n")
                return {"calls": calls, "echo": params.get("echo"), "context": context}
            """,
    };

    public static readonly Dictionary<string, string> Node = new()
    {
        ["fn.js"] = """
            const fs = require('fs');
            let calls = 0;
            console.log('loading: \u0000\u0000\u0000\u0005hello');

            module.exports = async (params, ctx) => {
              calls += 1;
              await new Promise((resolve) => setImmediate(resolve));
              switch (params.mode) {
                case 'fail':
                  throw new TypeError('boom');
                case 'loop':
                  for (;;) { }
                case 'exit':
                  process.exit(3);
                case 'exit-after-reply':
                  Promise.reject(new Error('left unhandled'));
                  break;
                case 'print':
                  console.log('to stdout');
                  console.error('to stderr');
                  process.stdout.write('x'.repeat(200000));
                  fs.writeSync(1, '\u0000\u0000\u0000\u0007garbage');
                  fs.writeSync(2, '\u0000\u0000\u0000\u0007garbage\n');
                  break;
              }
              return { calls, echo: params.echo ?? null, context: ctx };
            };
            """,
    };

    public static FunctionSpec DeployWork(this TestPool pool, string runtime, int memoryMB = 128, int timeoutSeconds = 10) => runtime switch
    {
        RuntimeNames.Python => pool.Deploy(runtime, "fn.work", Python, memoryMB, timeoutSeconds),
        RuntimeNames.Node => pool.Deploy(runtime, "fn.js", Node, memoryMB, timeoutSeconds),
        _ => throw new ArgumentOutOfRangeException(nameof(runtime), runtime, null),
    };
}
