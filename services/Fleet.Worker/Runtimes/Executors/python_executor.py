"""Fleet Python executor: one long-lived process per instance.

Protocol v2 (fd 3 in, fd 4 out): frames of a 4-byte big-endian length and UTF-8 JSON; every frame has an id, and a
reply echoes the id of the frame it answers.
  -> {"op": "init", "id": 1, "convention": "json-handler", "handler": "pkg.mod.fn", "codeDir": "/code", "maxResultBytes": n}
  <- {"op": "reply", "id": 1, "ok": true} | {"op": "reply", "id": 1, "ok": false, "error": "..."}
  -> {"op": "call", "id": 2, "capture": bool, "params": {...}}      (bytes conventions: "input": "<base64>"; "entry": name)
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
context.state_read/state_size/state_write/state_append/state_delete and context.invoke (see Context). faasm-python
imports the module named by the handler and calls its faasm_main() with no arguments; input, output, state and chained
calls go through the module pyfaasm.core (see _FaasmCall). A call's "entry" names another function of the handler's
module to call instead (faasm-python passes it the input bytes as its one argument).
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
    state_delete(key) -> whether there was a value. invoke(function=None, input=None, entry=None) runs a function of
    the same namespace (None: this one), at entry when given, and waits: {"status", "output", "returnCode", "error"} (output bytes for a bytes-handler child).
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

    def invoke(self, function=None, input=None, entry=None):
        if isinstance(input, (bytes, bytearray, memoryview)):
            input = _b64(input)
        outcome = host("invoke", **_present(function=function, input=input, entry=entry))
        if outcome.pop("outputEncoding", None) == "base64":
            outcome["output"] = binascii.a2b_base64(outcome["output"])
        return outcome


def _load_handler(request):
    """The handler, and a function that finds the entry a call names (the handler when it names none)."""
    module_name, _, function_name = request["handler"].rpartition(".")
    if not module_name:
        raise ValueError("handler must be module.function")
    sys.path.insert(0, request["codeDir"])
    module = importlib.import_module(module_name)
    handler = _function_of(module, function_name)
    return lambda entry: handler if entry is None else _function_of(module, entry)


def _function_of(module, name):
    function = getattr(module, name)
    if not callable(function):
        raise TypeError(module.__name__ + "." + name + " is not callable")
    return function


def _check_size(size, budget):
    if size > budget:
        raise ResultError("result of %d bytes is larger than the limit of %d bytes" % (size, budget))


def _json_handler(request):
    handler = _load_handler(request)

    def call(item, budget, entry):
        params = item.get("params")
        value = handler(entry)(params if params is not None else {}, Context())
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

    def call(item, budget, entry):
        output, code = _bytes_result(handler(entry)(binascii.a2b_base64(item.get("input", "")), Context()))
        return _bytes_outcome(output, code, budget)

    return call


def _bytes_outcome(output, code, budget):
    _check_size(len(output), budget)
    return {"ok": True, "output": binascii.b2a_base64(output, newline=False).decode("ascii"), "returnCode": code}, len(output)


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


_INT32 = range(-(1 << 31), 1 << 31)
# The largest state range one host call moves: state.read answers at most 4 MiB, a host request carries at most 1 MiB.
_STATE_READ_BYTES = 4 << 20
_STATE_WRITE_BYTES = 512 << 10


def _as_bytes(data, what):
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(what + " must be bytes or str, not " + type(data).__name__)


def _return_code(value):
    """faasm_main's value as a return code: an int is itself, None is 0, anything else 1."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value in _INT32 else 1
    return 1


def _exit_code(code):
    """SystemExit's code as a return code: exit() is 0, exit(n) n, a code that is not an int (exit("message")) 1."""
    return 0 if code is None else _return_code(code) if isinstance(code, int) and not isinstance(code, bool) else 1


class _FaasmCall:
    """
    What pyfaasm.core works on: the current call's input and output, and its chained calls' return codes by id.
    State is write-through (every write reaches the store at once), so push and pull have nothing to do; chain runs
    the chained call at once, since invoke waits for it, and await_call answers its kept return code.
    """

    input = b""
    output = None
    chained = {}
    next_id = [0]

    @classmethod
    def begin(cls, data):
        cls.input, cls.output, cls.chained = data, None, {}


def _state_range(key, offset, n):
    """n bytes of the value at offset, zero-padded where the value is shorter or absent."""
    parts = []
    done = 0
    while done < n:
        length = min(n - done, _STATE_READ_BYTES)
        part = host("state.read", key=key, offset=offset + done, length=length)
        part = b"" if part is None else binascii.a2b_base64(part)
        parts.append(part)
        done += length
        if len(part) < length:
            break
    data = b"".join(parts)
    return data + bytes(n - len(data))


def _state_write(key, data, offset):
    """Writes data at offset (None: replaces the value) in pieces a host request can carry; the new size."""
    size = host("state.write", **_present(key=key, value=_b64(data[:_STATE_WRITE_BYTES]), offset=offset))
    for start in range(_STATE_WRITE_BYTES, len(data), _STATE_WRITE_BYTES):
        size = host("state.write", key=key, value=_b64(data[start:start + _STATE_WRITE_BYTES]), offset=(offset or 0) + start)
    return size


def _check_segment(total_len, offset, n):
    if offset < 0 or n < 0 or offset + n > total_len:
        raise ValueError("state segment at %d of %d bytes is outside the value's %d bytes" % (offset, n, total_len))


def _pyfaasm_core():
    """The module pyfaasm.core, with the current names of Faasm's Python API and the older ones (faasm/pyfaasm)."""

    def get_input_len():
        return len(_FaasmCall.input)

    def read_input(n=None):
        return _FaasmCall.input if n is None else _FaasmCall.input[:n]

    def get_input():
        return _FaasmCall.input

    def write_output(data):
        _FaasmCall.output = _as_bytes(data, "output")

    def get_output():
        return _FaasmCall.output if _FaasmCall.output is not None else b""

    def read_state_size(key):
        return host("state.size", key=key) or 0

    def read_state(key, n):
        return _state_range(key, 0, n)

    def read_state_offset(key, total_len, offset, n):
        _check_segment(total_len, offset, n)
        return _state_range(key, offset, n)

    def write_state(key, data):
        _state_write(key, _as_bytes(data, "state"), None)

    def write_state_offset(key, total_len, offset, data):
        data = _as_bytes(data, "state")
        _check_segment(total_len, offset, len(data))
        if _state_write(key, data, offset) < total_len:
            host("state.write", key=key, value=_b64(b"\0"), offset=total_len - 1)  # the value is total_len long, as upstream

    def push_state(key):
        pass

    def pull_state(key, n=None):
        pass

    def chain(func, data=b""):
        name = func if isinstance(func, str) else getattr(func, "__name__", None)
        if not isinstance(name, str):
            raise TypeError("chain takes a function or its name, not " + type(func).__name__)
        outcome = host("invoke", entry=name, input=_b64(_as_bytes(data, "input")))
        code = outcome.get("returnCode", 1)
        _FaasmCall.next_id[0] += 1
        _FaasmCall.chained[_FaasmCall.next_id[0]] = code if outcome.get("status") == "succeeded" or code != 0 else 1
        return _FaasmCall.next_id[0]

    def await_call(call_id):
        if call_id not in _FaasmCall.chained:
            raise ValueError("await_call: no chained call %r in this call" % (call_id,))
        return _FaasmCall.chained[call_id]

    def set_local_input_output(local):
        pass

    def set_local_chaining(local):
        pass

    import types

    core = types.ModuleType("pyfaasm.core", "Faasm's Python API on Fleet (state is write-through; chain runs the call at once).")
    names = dict(
        get_input_len=get_input_len, read_input=read_input, get_input=get_input, write_output=write_output,
        set_output=write_output, get_output=get_output, read_state_size=read_state_size, get_state_size=read_state_size,
        read_state=read_state, get_state=read_state, read_state_offset=read_state_offset, get_state_offset=read_state_offset,
        write_state=write_state, set_state=write_state, write_state_offset=write_state_offset, set_state_offset=write_state_offset,
        push_state=push_state, push_state_partial=push_state, pull_state=pull_state, chain=chain,
        chain_this_with_input=chain, await_call=await_call, set_local_input_output=set_local_input_output,
        set_local_chaining=set_local_chaining)
    for name, function in names.items():
        setattr(core, name, function)
    package = types.ModuleType("pyfaasm")
    package.__path__ = []
    package.core = core
    sys.modules["pyfaasm"], sys.modules["pyfaasm.core"] = package, core


def _exit(code=None):
    raise SystemExit(code)


_SHARED_FILE_PREFIX = "faasm://"
_SHARED_FILE_CHUNK = 4 << 20


def _shared_file(path, mode):
    """A shared file (PUT /file) opened for reading: read through the worker (host call file.read), in 4 MiB ranges."""
    if any(flag in mode for flag in "wax+"):
        raise PermissionError("shared files are read-only: " + _SHARED_FILE_PREFIX + path)
    key, data = path.lstrip("/"), bytearray()
    while True:
        chunk = host("file.read", key=key, offset=len(data), length=_SHARED_FILE_CHUNK)
        if chunk is None:
            raise FileNotFoundError("no shared file " + _SHARED_FILE_PREFIX + path)
        data += binascii.a2b_base64(chunk)
        if len(chunk) == 0 or len(data) % _SHARED_FILE_CHUNK != 0:
            break
    return io.BytesIO(bytes(data)) if "b" in mode else io.StringIO(data.decode("utf-8"))


def _faasm_python(request):
    sys.path.insert(0, request["codeDir"])
    _pyfaasm_core()
    import builtins

    if not hasattr(builtins, "exit"):  # site adds exit() and quit(); the sandbox runs Python without it
        builtins.exit = builtins.quit = _exit
    plain_open = builtins.open

    def faasm_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str) and file.startswith(_SHARED_FILE_PREFIX):
            return _shared_file(file[len(_SHARED_FILE_PREFIX):], mode)
        return plain_open(file, mode, *args, **kwargs)

    builtins.open = faasm_open
    module = importlib.import_module(request["handler"])

    def call(item, budget, entry):
        data = binascii.a2b_base64(item.get("input", ""))
        _FaasmCall.begin(data)
        error = None
        try:
            code = _return_code(module.faasm_main() if entry is None else _function_of(module, entry)(data))
        except SystemExit as exit:
            code = _exit_code(exit.code)
        except Exception as raised:  # noqa: BLE001 - an uncaught exception is return code 1, as upstream
            code, error = 1, raised
        output = _FaasmCall.output
        if output is None:
            output = b"" if error is None else _describe(error).encode("utf-8")
        return _bytes_outcome(output, code, budget)

    return call


CONVENTIONS = {"json-handler": _json_handler, "bytes-handler": _bytes_handler, "faasm-python": _faasm_python}

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


def _outcomes(invoke, items, entry):
    """One outcome per item, in order; a failing item fails alone. The items' results share the result limit."""
    budget = _LIMIT["result"]
    outcomes = []
    for item in items:
        started = time.perf_counter()
        try:
            outcome, size = invoke(item, budget, entry)
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
    outcomes = _outcomes(invoke, request["items"] if batch else [request], request.get("entry"))
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
