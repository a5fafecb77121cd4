"""Fleet Python executor: one long-lived process per instance.

Protocol (fd 3 in, fd 4 out): frames of a 4-byte big-endian length and UTF-8 JSON.
  -> {"op": "init", "mode": "serverledge", "handler": "pkg.mod.fn", "codeDir": "/code", "maxResultBytes": n}
  <- {"ok": true} | {"ok": false, "error": "..."}
  -> {"op": "call", "capture": bool, "params": {...}}
  <- {"ok": bool, "result": "<json text>", "output": "...", "error": "...", "duration": seconds}
Other modes (faasm, fastmap, ...) plug in as further entries of MODES.
Only what the Serverledge mode needs is imported at start-up to keep cold starts short.
With --own-pid-namespace (given in the sandbox only) the processes a call leaves behind end before its reply.
"""
import importlib
import io
import json
import os
import signal
import sys
import time

_IN = open(3, "rb", buffering=0)
_OUT = open(4, "wb", buffering=0)
_LIMIT = {"result": 6 << 20}


def _read_exact(n):
    chunks = []
    while n > 0:
        chunk = _IN.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _receive():
    header = _read_exact(4)
    if header is None:
        return None
    body = _read_exact(int.from_bytes(header, "big"))
    return None if body is None else json.loads(body)


def _send(message):
    # Results are ASCII JSON text already; raw UTF-8 keeps captured output from growing sixfold in the frame.
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "replace")
    data = memoryview(len(body).to_bytes(4, "big") + body)
    while data:
        data = data[_OUT.write(data):]


def _describe(error):
    text = str(error)
    return type(error).__name__ + (": " + text if text else "")


def _load_serverledge(request):
    module_name, _, function_name = request["handler"].rpartition(".")
    if not module_name:
        raise ValueError("handler must be module.function")
    sys.path.insert(0, request["codeDir"])
    handler = getattr(importlib.import_module(module_name), function_name)
    if not callable(handler):
        raise TypeError(request["handler"] + " is not callable")

    def call(params):
        value = handler(params if params is not None else {}, {})
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as error:
            raise ResultError("result is not JSON: " + _describe(error)) from None
        size = _size(text)
        if size > _LIMIT["result"]:
            raise ResultError("result of %d bytes is larger than the limit of %d bytes" % (size, _LIMIT["result"]))
        return text

    return call


class ResultError(Exception):
    """The handler returned, but what it returned cannot be a result."""


def _size(text):
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _bounded(text):
    """Captured output cut to the result limit, so a chatty function cannot make the reply unbounded."""
    limit = _LIMIT["result"]
    if _size(text) <= limit:
        return text
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore") + "\n[output truncated]"


MODES = {"serverledge": _load_serverledge}

_OWN_PID_NAMESPACE = "--own-pid-namespace" in sys.argv[1:]
_SWEEP_PASSES = 200
# A call this short cannot have cycled through every pid and landed on the last one seen again.
_QUICK_CALL_SECONDS = 0.001


def _open_last_pid():
    try:
        return os.open("/proc/sys/kernel/ns_last_pid", os.O_RDONLY)
    except OSError:
        return None


# The last pid given out in this namespace: it changes whenever a process or thread is made here.
_LAST_PID = _open_last_pid() if _OWN_PID_NAMESPACE else None
_last_pid_swept = [None]


def _last_pid():
    return os.pread(_LAST_PID, 32, 0) if _LAST_PID is not None else None


def _others():
    """Processes in the namespace besides its init (bubblewrap's, pid 1) and this executor, dead ones (zombies) left out."""
    mine = str(os.getpid())
    others = []
    for name in os.listdir("/proc"):
        if name.isdigit() and name != "1" and name != mine:
            try:
                with open("/proc/" + name + "/stat", "rb") as stat:
                    if stat.read().rpartition(b")")[2][1:2] != b"Z":
                        others.append(name)
            except OSError:
                pass  # ended meanwhile
    return others


def _end_leftover_processes(seconds):
    """
    Ends what the call left running, so the next call finds the instance as the first did. When no task was made in
    the namespace since the last sweep (one read of ns_last_pid, about 2 us) and the call was quick, nothing can be
    left. Otherwise kill(-1) signals every process in this pid namespace but its init and the caller at once, under
    the kernel's task-list lock: a process that forks as fast as it can cannot slip a child past it. The passes wait
    for the killed to be gone; this executor's own children are reaped (init reaps the rest).
    """
    if seconds < _QUICK_CALL_SECONDS and _last_pid_swept[0] is not None and _last_pid() == _last_pid_swept[0]:
        return
    _sweep()
    _last_pid_swept[0] = _last_pid()


def _sweep():
    for _ in range(_SWEEP_PASSES):
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not _others():
            return
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(0.001)


def _call(invoke, request):
    capture = bool(request.get("capture"))
    saved = sys.stdout, sys.stderr
    if capture:
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    reply = {"ok": True}
    started = time.perf_counter()
    try:
        reply["result"] = invoke(request.get("params"))
    except ResultError as error:
        reply = {"ok": False, "error": str(error)}
    except BaseException as error:  # noqa: BLE001 - every failure belongs to the call
        reply = {"ok": False, "error": _describe(error)}
    reply["duration"] = time.perf_counter() - started
    if capture:
        reply["output"] = _bounded(sys.stdout.getvalue() + "\n" + sys.stderr.getvalue())
        sys.stdout, sys.stderr = saved
    if _OWN_PID_NAMESPACE:
        _end_leftover_processes(reply["duration"])
    return reply


def main():
    request = _receive()
    if request is None:
        return
    _LIMIT["result"] = int(request.get("maxResultBytes", _LIMIT["result"]))
    try:
        invoke = MODES[request.get("mode", "serverledge")](request)
    except BaseException as error:  # noqa: BLE001 - reported to the host, then exit
        _send({"ok": False, "error": _describe(error)})
        return
    _send({"ok": True})
    while True:
        request = _receive()
        if request is None:
            return
        _send(_call(invoke, request))


main()
