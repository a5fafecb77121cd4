"""Fleet Python executor: one long-lived process per instance.

Protocol v2 (fd 3 in, fd 4 out): frames of a 4-byte big-endian length and UTF-8 JSON; every frame has an id, and a
reply echoes the id of the frame it answers.
  -> {"op": "init", "id": 1, "convention": "json-handler", "handler": "pkg.mod.fn", "codeDir": "/code", "maxResultBytes": n}
  <- {"op": "reply", "id": 1, "ok": true} | {"op": "reply", "id": 1, "ok": false, "error": "..."}
  -> {"op": "call", "id": 2, "capture": bool, "params": {...}}      (bytes-handler: "input": "<base64>")
  -> {"op": "call", "id": 3, "capture": bool, "items": [{"params": {...}}, ...]}        (a batch)
  <- {"op": "host", "id": 1, "call": "progress", "value": 0.5}     (during a call, any number; ids rise)
  -> {"op": "host-reply", "id": 1, "ok": true, "value": ...} | {"op": "host-reply", "id": 1, "ok": false, "error": "..."}
  <- {"op": "reply", "id": 2, "ok": bool, "result": "<json text>" | "output": "<base64>", "returnCode": n,
      "error": "...", "duration": seconds, "stdout": "...", "stderr": "..."}
     (a batch: "ok": true, "items": [{"ok", "result" | "output", "returnCode", "error", "duration"}, ...]; a batch's
     results share the result limit, stdout and stderr are the whole call's)
Conventions (CONVENTIONS): json-handler calls handler(params, context) and returns the JSON of its value;
bytes-handler calls handler(input_bytes, context), which returns bytes (or str), an int return code, or
(output, return_code). context is a dict with host calls as methods: context.progress(x), context.host(call, **fields),
context.state_read/state_size/state_write/state_append/state_delete and context.invoke (see Context).
Only what the json-handler convention needs is imported at start-up to keep cold starts short.
With --own-pid-namespace (given in the sandbox only) the processes a call leaves behind end before its reply.
"""
import binascii
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
    body = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace")
    data = memoryview(len(body).to_bytes(4, "big") + body)
    while data:
        data = data[_OUT.write(data):]


_MAX_ERROR_CHARS = 2000


def _describe(error):
    text = str(error)
    return (type(error).__name__ + (": " + text if text else ""))[:_MAX_ERROR_CHARS]


class HostCallError(Exception):
    """The worker refused or failed a host call."""


_host_ids = [0]


def host(call, **fields):
    """Asks the worker something during a call and waits for its answer: the answer's value, or HostCallError."""
    _host_ids[0] += 1
    request_id = _host_ids[0]
    _send(dict(fields, op="host", id=request_id, call=call))
    reply = _receive()
    if reply is None or reply.get("op") != "host-reply" or reply.get("id") != request_id:
        os._exit(70)  # out of step with the worker: nothing more can be answered
    if not reply.get("ok"):
        raise HostCallError(reply.get("error", ""))
    return reply.get("value")


def _b64(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return binascii.b2a_base64(bytes(data), newline=False).decode("ascii")


def _present(**fields):
    return {name: value for name, value in fields.items() if value is not None}


class Context(dict):
    """What a handler gets as its context: a dict (json.dumps writes {}), with host calls as methods.

    State (bytes kept by key in the function's namespace; str values are written as UTF-8):
    state_read(key, offset=None, length=None) -> bytes or None; state_size(key) -> int or None;
    state_write(key, value, offset=None) -> new size (no offset: replaces the value); state_append(key, value) -> new size;
    state_delete(key) -> whether there was a value. invoke(function, input=None) runs a function of the same
    namespace and waits: {"status", "output", "returnCode", "error"} (output bytes for a bytes-handler child).
    """

    def progress(self, value):
        host("progress", value=value)

    def host(self, call, **fields):
        return host(call, **fields)

    def state_read(self, key, offset=None, length=None):
        value = host("state.read", **_present(key=key, offset=offset, length=length))
        return None if value is None else binascii.a2b_base64(value)

    def state_size(self, key):
        return host("state.size", key=key)

    def state_write(self, key, value, offset=None):
        return host("state.write", **_present(key=key, value=_b64(value), offset=offset))

    def state_append(self, key, value):
        return host("state.append", key=key, value=_b64(value))

    def state_delete(self, key):
        return host("state.delete", key=key)

    def invoke(self, function, input=None):
        if isinstance(input, (bytes, bytearray, memoryview)):
            input = _b64(input)
        outcome = host("invoke", **_present(function=function, input=input))
        if outcome.pop("outputEncoding", None) == "base64":
            outcome["output"] = binascii.a2b_base64(outcome["output"])
        return outcome


def _load_handler(request):
    module_name, _, function_name = request["handler"].rpartition(".")
    if not module_name:
        raise ValueError("handler must be module.function")
    sys.path.insert(0, request["codeDir"])
    handler = getattr(importlib.import_module(module_name), function_name)
    if not callable(handler):
        raise TypeError(request["handler"] + " is not callable")
    return handler


def _check_size(size, budget):
    if size > budget:
        raise ResultError("result of %d bytes is larger than the limit of %d bytes" % (size, budget))


def _json_handler(request):
    handler = _load_handler(request)

    def call(item, budget):
        params = item.get("params")
        value = handler(params if params is not None else {}, Context())
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as error:
            raise ResultError("result is not JSON: " + _describe(error)) from None
        size = _size(text)
        _check_size(size, budget)
        return {"ok": True, "result": text, "returnCode": 0}, size

    return call


def _bytes_handler(request):
    handler = _load_handler(request)

    def call(item, budget):
        output, code = _bytes_result(handler(binascii.a2b_base64(item.get("input", "")), Context()))
        _check_size(len(output), budget)
        return {"ok": True, "output": binascii.b2a_base64(output, newline=False).decode("ascii"), "returnCode": code}, len(output)

    return call


def _bytes_result(value):
    """(output, return code) from what a bytes handler returned: output, a return code, or both as a pair."""
    if isinstance(value, tuple) and len(value) == 2:
        output, code = value
    elif isinstance(value, int) and not isinstance(value, bool):
        output, code = b"", value
    else:
        output, code = value, 0
    if output is None:
        output = b""
    if isinstance(output, str):
        output = output.encode("utf-8")
    if not isinstance(output, (bytes, bytearray, memoryview)) or not isinstance(code, int) or isinstance(code, bool):
        raise ResultError("result is not bytes and a return code: " + type(value).__name__)
    return bytes(output), code


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


CONVENTIONS = {"json-handler": _json_handler, "bytes-handler": _bytes_handler}

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


def _outcomes(invoke, items):
    """One outcome per item, in order; a failing item fails alone. The items' results share the result limit."""
    budget = _LIMIT["result"]
    outcomes = []
    for item in items:
        started = time.perf_counter()
        try:
            outcome, size = invoke(item, budget)
            budget -= size
        except ResultError as error:
            outcome = {"ok": False, "error": str(error)[:_MAX_ERROR_CHARS], "returnCode": 1}
        except BaseException as error:  # noqa: BLE001 - every failure belongs to the call
            outcome = {"ok": False, "error": _describe(error), "returnCode": 1}
        outcome["duration"] = time.perf_counter() - started
        outcomes.append(outcome)
    return outcomes


def _call(invoke, request):
    capture = bool(request.get("capture"))
    saved = sys.stdout, sys.stderr
    if capture:
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    batch = "items" in request
    outcomes = _outcomes(invoke, request["items"] if batch else [request])
    reply = {"ok": True, "items": outcomes, "duration": time.perf_counter() - started} if batch else outcomes[0]
    reply["op"], reply["id"] = "reply", request.get("id")
    if capture:
        reply["stdout"], reply["stderr"] = _bounded(sys.stdout.getvalue()), _bounded(sys.stderr.getvalue())
        sys.stdout, sys.stderr = saved
    if _OWN_PID_NAMESPACE:
        _end_leftover_processes(reply["duration"])
    return reply


def main():
    request = _receive()
    if request is None:
        return
    _LIMIT["result"] = int(request.get("maxResultBytes", _LIMIT["result"]))
    reply = {"op": "reply", "id": request.get("id"), "ok": True}
    try:
        convention = request.get("convention", "json-handler")
        if convention not in CONVENTIONS:
            raise ValueError("convention " + str(convention) + " is not supported")
        invoke = CONVENTIONS[convention](request)
    except BaseException as error:  # noqa: BLE001 - reported to the host, then exit
        _send(dict(reply, ok=False, error=_describe(error)))
        return
    _send(reply)
    while True:
        request = _receive()
        if request is None:
            return
        _send(_call(invoke, request))


main()
