namespace Fleet.Worker.Tests;

/// <summary>Functions that look at their sandbox from inside and report what they could reach.</summary>
internal static class Probes
{
    public static readonly Dictionary<string, string> Python = new()
    {
        ["probe.py"] = """
            import errno
            import os
            import socket
            import threading

            def _attempt(action):
                try:
                    action()
                    return "ok"
                except OSError as error:
                    return errno.errorcode.get(error.errno, type(error).__name__)

            def _connect(host, port):
                socket.create_connection((host, port), timeout=2).close()

            def _read(path):
                with open(path, "rb") as file:
                    file.read(1)

            def _write(path):
                with open(path, "w") as file:
                    file.write("x")

            def network(params, context):
                return {
                    "host": _attempt(lambda: _connect("127.0.0.1", params["port"])),
                    "internet": _attempt(lambda: _connect("1.1.1.1", 53)),
                    "interfaces": [name for _, name in socket.if_nameindex()],
                }

            def files(params, context):
                _write("/tmp/" + params["inside"])
                return {
                    "uid": os.getuid(),
                    "cwd": os.getcwd(),
                    "top": sorted(os.listdir("/")),
                    "readHost": _attempt(lambda: _read(params["hostFile"])),
                    "readRoot": _attempt(lambda: os.listdir("/root")),
                    "dataDirectory": os.path.exists(params["dataDirectory"]),
                    "hostTmp": os.path.exists("/tmp/" + params["hostTmp"]),
                    "ownTmp": os.path.exists("/tmp/" + params["inside"]),
                    "writeUsr": _attempt(lambda: _write("/usr/fleet-probe")),
                    "writeCode": _attempt(lambda: _write("/code/fleet-probe")),
                    "writeExecutor": _attempt(lambda: _write("/executor/fleet-probe")),
                    "env": sorted(os.environ),
                    "processes": len([entry for entry in os.listdir("/proc") if entry.isdigit()]),
                }

            def allocate(params, context):
                return len(b"\x01" * (params["mb"] << 20)) >> 20

            def threads(params, context):
                release = threading.Event()
                started = []
                try:
                    for _ in range(params["max"]):
                        thread = threading.Thread(target=release.wait)
                        thread.start()
                        started.append(thread)
                except RuntimeError as error:
                    return {"started": len(started), "error": str(error)}
                finally:
                    release.set()
                    for thread in started:
                        thread.join()
                return {"started": len(started), "error": None}
            """,
    };

    public static readonly Dictionary<string, string> Node = new()
    {
        ["network.js"] = """
            const net = require('net');

            const connect = (host, port) => new Promise((resolve) => {
              const socket = net.connect({ host, port, timeout: 2000 });
              socket.on('connect', () => { socket.destroy(); resolve('ok'); });
              socket.on('timeout', () => { socket.destroy(); resolve('ETIMEDOUT'); });
              socket.on('error', (error) => resolve(error.code));
            });

            module.exports = async (params) => ({
              host: await connect('127.0.0.1', params.port),
              internet: await connect('1.1.1.1', 53),
              interfaces: Object.keys(require('os').networkInterfaces()),
            });
            """,
        ["allocate.js"] = """
            module.exports = async (params) => Buffer.alloc(params.mb << 20, 1).length >> 20;
            """,
    };
}
