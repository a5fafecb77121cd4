using RuntimeNames = Fleet.Contracts.Runtimes;

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
            import subprocess
            import sys
            import threading
            import time

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

            def paths(params, context):
                return {path: os.path.exists(path) for path in params["paths"]}

            def packages(params, context):
                imported = subprocess.run([sys.executable, "-c", "import dill, msgpack"], capture_output=True, text=True)
                return {"directory": os.path.isdir("/usr/lib/python3/dist-packages"), "import": imported.stderr.strip() or "ok"}

            def scratch(params, context):
                return {
                    "writeRoot": _attempt(lambda: _write("/fleet-probe")),
                    "writeDev": _attempt(lambda: _write("/dev/fleet-probe")),
                    "sizes": {path: os.statvfs(path).f_blocks * os.statvfs(path).f_frsize for path in ("/tmp", "/dev/shm")},
                    "fill": {path: _attempt(lambda: _fill(path + "/fleet-probe")) for path in params.get("fill", [])},
                }

            def _fill(path):
                chunk = b"\0" * (1 << 20)
                try:
                    with open(path, "wb") as file:
                        while True:
                            file.write(chunk)
                            file.flush()
                finally:
                    os.unlink(path)

            # With leave: starts a child, a forked copy of the executor and an orphan (the child of an exited child).
            def leave(params, context):
                if params.get("leave"):
                    sleeper = ["/usr/bin/python3", "-c", "import time; time.sleep(60)"]
                    subprocess.Popen(sleeper)
                    if os.fork() == 0:
                        try:
                            time.sleep(60)
                        finally:
                            os._exit(0)
                    middle = os.fork()
                    if middle == 0:
                        try:
                            subprocess.Popen(sleeper)
                        finally:
                            os._exit(0)
                    os.waitpid(middle, 0)
                return _alive()

            # The processes alive in the sandbox besides its init (pid 1) and this executor.
            def _alive():
                alive = []
                for name in os.listdir("/proc"):
                    if name.isdigit() and int(name) not in (1, os.getpid()):
                        try:
                            with open("/proc/" + name + "/stat") as stat:
                                state = stat.read().rpartition(")")[2].split()[0]
                            with open("/proc/" + name + "/cmdline") as cmdline:
                                command = cmdline.read().replace("\0", " ").strip()
                        except OSError:
                            continue
                        if state != "Z":
                            alive.append(command)
                return sorted(alive)
            """,
        ["kernel.py"] = """
            import ctypes
            import errno
            import platform

            # x86_64 and aarch64 numbers, from the kernel's unistd headers.
            _NUMBERS = {
                "io_uring_setup": (425, 425), "keyctl": (250, 219), "ptrace": (101, 117), "bpf": (321, 280),
                "perf_event_open": (298, 241), "userfaultfd": (323, 282), "mount": (165, 40), "unshare": (272, 97),
                "setns": (308, 268), "clone": (56, 220), "clone3": (435, 435), "getpid": (39, 172),
            }
            _CLONE_NEWUSER = 0x10000000
            _CLONE_FS = 0x200
            _LIBC = ctypes.CDLL(None, use_errno=True)

            def _call(name, *args, offset=0):
                number = _NUMBERS[name][0 if platform.machine() == "x86_64" else 1] + offset
                ctypes.set_errno(0)
                result = _LIBC.syscall(ctypes.c_long(number), *[ctypes.c_long(arg) if isinstance(arg, int) else arg for arg in args])
                return "ok" if result != -1 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))

            def syscalls(params, context):
                # Without the filter keyctl, io_uring_setup and userfaultfd succeed, ptrace stops init, unshare and setns
                # fail otherwise; mount and bpf fail with EPERM here either way. clone and clone3 get arguments the kernel
                # itself rejects (EINVAL), so that no copy of the executor is ever made.
                seen = {
                    "io_uring_setup": _call("io_uring_setup", 1, ctypes.create_string_buffer(120)),
                    "keyctl": _call("keyctl", 0, -3, 1),
                    "ptrace": _call("ptrace", 16, 1, 0, 0),
                    "bpf": _call("bpf", 0, ctypes.create_string_buffer(128), 128),
                    "perf_event_open": _call("perf_event_open", ctypes.create_string_buffer(b"\1\0\0\0\x80", 128), 0, -1, -1, 0),
                    "userfaultfd": _call("userfaultfd", 1),
                    "mount": _call("mount", ctypes.c_char_p(b"none"), ctypes.c_char_p(b"/tmp"), ctypes.c_char_p(b"tmpfs"), 0, 0),
                    "unshare": _call("unshare", _CLONE_NEWUSER),
                    "setns": _call("setns", -1, 0),
                    "clone": _call("clone", _CLONE_NEWUSER | _CLONE_FS, 0, 0, 0, 0),
                    "clone3": _call("clone3", 0, 0),
                }
                if platform.machine() == "x86_64":
                    seen["x32"] = _call("getpid", offset=0x40000000)
                return seen
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
        ["paths.js"] = """
            const fs = require('fs');

            module.exports = async (params) => Object.fromEntries(params.paths.map((path) => [path, fs.existsSync(path)]));
            """,
        ["leave.js"] = """
            const { spawn } = require('child_process');
            const fs = require('fs');

            // The processes alive in the sandbox besides its init (pid 1) and this executor.
            const others = () => fs.readdirSync('/proc')
              .filter((name) => /^\d+$/.test(name) && name !== '1' && name !== String(process.pid))
              .flatMap((name) => {
                try {
                  const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
                  const command = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
                  return stat[stat.lastIndexOf(')') + 2] === 'Z' ? [] : [command];
                } catch {
                  return [];
                }
              })
              .sort();

            module.exports = async (params) => {
              if (params.leave) {
                const child = spawn('/usr/bin/python3', ['-c', 'import time; time.sleep(60)'], { detached: true, stdio: 'ignore' });
                child.unref();
                await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
              }
              return others();
            };
            """,
        ["uring.js"] = """
            const { spawnSync } = require('child_process');

            // A Node told to use io_uring for file I/O (libuv leaves it off by default) does its reads and writes, then
            // counts the io_uring instances it holds.
            const script = `
              const fs = require('fs');
              (async () => {
                const text = await fs.promises.readFile('/code/uring.js', 'utf8');
                await fs.promises.writeFile('/tmp/uring-probe', text);
                const same = (await fs.promises.readFile('/tmp/uring-probe', 'utf8')) === text;
                const rings = fs.readdirSync('/proc/self/fd').filter((fd) => {
                  try { return fs.readlinkSync('/proc/self/fd/' + fd).includes('io_uring'); } catch { return false; }
                });
                process.stdout.write(JSON.stringify({ same, rings: rings.length }));
              })();`;

            module.exports = async () => {
              const child = spawnSync(process.execPath, ['-e', script], { env: { UV_USE_IO_URING: '1' }, encoding: 'utf8' });
              return { status: child.status, error: child.stderr, ...JSON.parse(child.stdout || '{}') };
            };
            """,
        ["wasi.js"] = """
            const { WASI } = require('node:wasi');

            // A module that writes "hi\n" to fd 1 (fd_write) and asks for 8 random bytes (random_get); run() returns
            // fd_write's errno plus random_get's shifted by 8, and the count written is left at address 8.
            const wasm = new WebAssembly.Module(Buffer.from(
              'AGFzbQEAAAABEwNgBH9/f38Bf2ACf38Bf2AAAX8CRwIWd2FzaV9zbmFwc2hvdF9wcmV2aWV3MQhmZF93cml0ZQAAFndhc2lfc25hcHNob3Rf' +
              'cHJldmlldzEKcmFuZG9tX2dldAABAwIBAgUDAQABBxACBm1lbW9yeQIAA3J1bgACCiYBJABBAEEQNgIAQQRBAzYCAEEBQQBBAUEIEABBIEEI' +
              'EAFBCHRqCwsJAQBBEAsDaGkK', 'base64'));

            module.exports = async () => {
              const wasi = new WASI({ version: 'preview1' });
              const instance = new WebAssembly.Instance(wasm, wasi.getImportObject());
              wasi.initialize(instance);
              const errors = instance.exports.run();
              return { errors, written: new DataView(instance.exports.memory.buffer).getUint32(8, true) };
            };
            """,
    };

    /// <summary>The probe package of the runtime.</summary>
    public static Dictionary<string, string> For(string runtime) => runtime == RuntimeNames.Python ? Python : Node;
}
