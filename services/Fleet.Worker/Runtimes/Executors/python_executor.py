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
module to call instead (faasm-python passes it the input bytes as its one argument). fastmap-map loads Fastmap's
dill-pickled function (fastmap/func.dill, with fastmap/environment.json and the local modules under src/) once and maps
it over each call's batch, answering a msgpack map (see _fastmap_map); dill and msgpack come from Debian's dist-packages.
dcp-work runs DCP's work function (dcp/work.json's source, defining work(datum, *args)) once in a module of its own and
returns the JSON of work(datum, *args) for each call (see _dcp_work).
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
        return _json_outcome(handler(entry)(params if params is not None else {}, Context()), budget)

    return call


def _json_outcome(value, budget):
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise ResultError("result is not JSON: " + _describe(error)) from None
    size = _size(text)
    _check_size(size, budget)
    return {"ok": True, "result": text, "returnCode": 0}, size


def _dcp_package(code_dir):
    """dcp/work.json's source and args; a package without it (or with another shape) fails the init frame."""
    try:
        with open(os.path.join(code_dir, "dcp", "work.json"), "rb") as file:
            work = json.loads(file.read())
    except (OSError, ValueError) as error:
        raise ValueError("dcp/work.json cannot be read: " + _describe(error)) from None
    if not isinstance(work, dict) or not isinstance(work.get("function"), str) or not work["function"].strip():
        raise TypeError('dcp/work.json must be {"function": "<source>", "args": [...]}')
    args = work.get("args")
    if args is not None and not isinstance(args, list):
        raise TypeError("dcp/work.json's args must be an array")
    return work["function"], args or []


def _dcp_progress(value=None):
    """DCP's progress(value?): a sign of life, with a fraction from 0 to 1 when given (the progress host call)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1):
        raise TypeError("progress takes nothing or a number from 0 to 1, not %r" % (value,))
    host("progress", **_present(value=value))


def _dcp_work(request):
    """
    DCP's work function: the source run once per instance in a fresh module, whose work(datum, *args) each call runs
    with the item's params (one slice's datum, any JSON value) and the package's args; the result is the JSON of its
    value. progress() is one of the module's globals.
    """
    source, args = _dcp_package(request["codeDir"])
    import types

    module = types.ModuleType("work")
    module.progress = _dcp_progress
    exec(compile(source, "work.function", "exec"), module.__dict__)  # noqa: S102 - the user's function, in the sandbox
    work = getattr(module, "work", None)
    if not callable(work):
        raise TypeError("work function is not a function: the source must define work(datum, *args)")

    def call(item, budget, entry):
        if entry is not None:
            raise ValueError("the dcp-work convention has no entries")
        return _json_outcome(work(item.get("params"), *args), budget)

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


# Where Debian's python3-* packages (dill, msgpack among them) live; the sandbox binds it read-only, and -S leaves it off sys.path.
_DIST_PACKAGES = "/usr/lib/python3/dist-packages"
# Modules whose import does something a worker must not (open a web browser, print the Zen of Python); the stock client
# lists every module its process had loaded, so these can be among them.
_IMPORT_NEVER = frozenset({"antigravity", "this"})
_MAX_TRACEBACK_CHARS = 100_000


class InitializationError(Exception):
    """The function cannot run on this worker (a Python version it was not pickled for, a pickle that is not a function)."""


class BatchError(Exception):
    """The call's input is not a batch Fastmap sends: gzip of a dill pickle of an iterable."""


class _Fastmap:
    """What init found, reported on every call: the function (or why there is none), the failed imports, the warning."""

    def __init__(self):
        self.func = None
        self.init_error = None
        self.init_tb = ""
        self.bad_modules = []
        self.warning = None


def _fastmap_package(code_dir):
    """fastmap/func.dill's bytes and fastmap/environment.json; a package without them is broken, failing the init frame."""
    with open(os.path.join(code_dir, "fastmap", "func.dill"), "rb") as file:
        func_bytes = file.read()
    with open(os.path.join(code_dir, "fastmap", "environment.json"), "rb") as file:
        environment = json.loads(file.read())
    if not isinstance(environment, dict):
        raise ValueError("fastmap/environment.json is not a JSON object")
    return func_bytes, environment


def _requirements_warning(requirements):
    """One sentence naming each requirement the installed distributions differ from, or None."""
    if not isinstance(requirements, dict) or not requirements:
        return None
    from importlib import metadata

    mismatches = []
    for distribution, wanted in requirements.items():
        try:
            installed = metadata.version(distribution)
        except (metadata.PackageNotFoundError, ValueError):
            installed = None
        if installed is None:
            mismatches.append("%s %s requested, not installed" % (distribution, wanted))
        elif installed != str(wanted):
            mismatches.append("%s %s requested, %s installed" % (distribution, wanted, installed))
    return "Fleet's workers differ from your requirements: " + "; ".join(mismatches) if mismatches else None


def _import_all(names):
    """
    Imports each module not loaded yet; the names that fail, in order. The client lists hundreds of modules of its own
    process (setuptools' vendored packages, distutils shims): a module under a package that failed is not tried again,
    so a missing package costs one failed import, not one per submodule.
    """
    bad = []
    for name in names:
        if not isinstance(name, str) or not name or name in sys.modules or name in bad:
            continue
        if name in _IMPORT_NEVER or any(name.startswith(failed + ".") for failed in bad):
            bad.append(name)
            continue
        try:
            importlib.import_module(name)
        except (Exception, SystemExit):  # noqa: BLE001 - a module that cannot be imported is reported, not fatal
            bad.append(name)
    return bad


def _prepare_fastmap(func_bytes, environment, code_dir):
    """Loads the function as section 7 of the Fastmap spec says; a failure is kept in the state, not raised."""
    state = _Fastmap()
    wanted = environment.get("pythonVersion")
    running = "%d.%d" % sys.version_info[:2]
    if wanted is not None and str(wanted) != running:
        state.init_error = repr(InitializationError(
            "this function was pickled by Python %s; Fleet's workers run Python %s" % (wanted, sys.version.split()[0])))
        return state
    sys.path.insert(0, os.path.join(code_dir, "src"))
    state.warning = _requirements_warning(environment.get("requirements"))
    state.bad_modules = _import_all(list(environment.get("localModules") or []) + list(environment.get("installedMods") or []))
    import dill

    try:
        func = dill.loads(func_bytes)
    except BaseException as error:  # noqa: BLE001 - whatever unpickling raises is the reason the function cannot run
        state.init_error, state.init_tb = repr(error), _user_traceback(error)
        return state
    if not callable(func):
        state.init_error = repr(InitializationError("fastmap/func.dill holds a " + type(func).__name__ + ", not a function"))
        return state
    state.func = func
    return state


def _fastmap_map(request):
    """
    Fastmap's function, loaded once; a call's input is gzip(dill.dumps(batch)) and its output msgpack of
    {"status": "BATCH_PROCESSED", "results": gzip(dill.dumps({"results": [...]})), "map_seconds"}, or PROCESS_ERROR
    (exception, traceback, bad_modules) or INITIALIZATION_ERROR (init_error, init_tb); "warning" when the
    requirements differ. The return code is 0 for BATCH_PROCESSED, 1 otherwise; the call succeeds either way.
    """
    func_bytes, environment = _fastmap_package(request["codeDir"])
    # After the package's own modules (src/ goes first), and only here: the other conventions' cold starts skip dill.
    sys.path.append(_DIST_PACKAGES)
    import gzip
    import msgpack

    state = _prepare_fastmap(func_bytes, environment, request["codeDir"])

    def call(item, budget, entry):
        if entry is not None:
            raise ValueError("the fastmap-map convention has no entries")
        reply = _fastmap_batch(state, binascii.a2b_base64(item.get("input", "")), gzip)
        output = msgpack.packb(reply, use_bin_type=True)
        if len(output) > budget and reply["status"] == "BATCH_PROCESSED":
            too_large = ResultError("the results take %d bytes, larger than the result limit of %d bytes" % (len(output), budget))
            reply = _process_error(state, too_large, "")
            output = msgpack.packb(reply, use_bin_type=True)
        return _bytes_outcome(output, 0 if reply["status"] == "BATCH_PROCESSED" else 1, budget)

    return call


def _fastmap_batch(state, data, gzip):
    """The map answering one batch: BATCH_PROCESSED, PROCESS_ERROR or INITIALIZATION_ERROR (the state's, every call)."""
    if state.func is None:
        return {"status": "INITIALIZATION_ERROR", "init_error": state.init_error, "init_tb": state.init_tb}
    import dill

    try:
        try:
            batch = dill.loads(gzip.decompress(data))
        except BaseException as error:  # noqa: BLE001 - whatever fails here, the input is not a batch
            raise BatchError("the batch could not be loaded: " + _describe(error)) from error
        func = state.func
        started = time.perf_counter()
        results = [func(x) for x in batch]
        map_seconds = time.perf_counter() - started
        packed = gzip.compress(dill.dumps({"results": results}), compresslevel=1)
    except BaseException as error:  # noqa: BLE001 - the user's exception is the answer; the instance lives on
        return _process_error(state, error, _user_traceback(error))
    return _warned(state, {"status": "BATCH_PROCESSED", "results": packed, "map_seconds": map_seconds})


def _user_traceback(error):
    """The error's traceback without this executor's frames, which would only show Fastmap's users the worker's insides."""
    import traceback

    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == _user_traceback.__code__.co_filename:
        frames = frames.tb_next
    return "".join(traceback.format_exception(type(error), error, frames))[-_MAX_TRACEBACK_CHARS:]


def _process_error(state, error, trace):
    return _warned(state, {"status": "PROCESS_ERROR", "exception": repr(error)[:_MAX_ERROR_CHARS],
                           "traceback": trace, "bad_modules": state.bad_modules})


def _warned(state, reply):
    if state.warning is not None:
        reply["warning"] = state.warning
    return reply

CONVENTIONS = {"json-handler": _json_handler, "bytes-handler": _bytes_handler, "faasm-python": _faasm_python,
               "fastmap-map": _fastmap_map, "dcp-work": _dcp_work}

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
