"""End-to-end scenarios of Fastmap's API against a running Fleet gateway, with our own client (fastmap_client.py),
real dill pickles and Debian's python3 only. The end-to-end tests run one scenario per process:

    /usr/bin/python3 tests/fastmap/scenarios.py http://127.0.0.1:8080 <scenario>

prints "ok" when it passed and raises (exit 1, traceback) when it did not. The gateway must issue secrets to this
caller (loopback) and cut batches at a timeout of a few seconds (Facades:Fastmap:BatchTimeoutSeconds) for `timeout`.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fastmap_client as fm  # noqa: E402

# Random bytes do not compress: a function that holds them makes a payload over one 20 MiB part.
BLOB = os.urandom(21 * 1024 * 1024)


def square(x):
    return x * x


def square_with_blob(x):
    return (x * x, len(BLOB))


def identity(x):
    return x


def divide(x):
    return 10 // (x - 3)


def sleepy(x):
    import time as clock
    clock.sleep(x)
    return x


def uses_helper(x):
    import fm_helper
    import fm_pkg.inner
    return fm_helper.triple(x) + fm_pkg.inner.one() + fm_pkg.BASE


HELPER_SOURCES = {
    "fm_helper": "def triple(x):\n    return 3 * x\n",
    "fm_pkg": "BASE = 100\n",
    "fm_pkg.inner": "def one():\n    return 1\n",
}


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def client(url, **options):
    return fm.Client(url, fm.issue_secret(url), retry_seconds=0.2, **options)


def ready_map(c, func_hash, batch, run_id):
    """The batch's results once the function is prepared (INITALIZING answers re-sent, as the client does)."""
    return c.map_results(func_hash, batch, run_id, retry_seconds=0.2)


def big_upload_concurrent_maps_and_done(url):
    c = client(url)
    check(c.auth().x_status == "AUTHORIZED", "auth")
    payload = c.payload(square_with_blob, installed_mods=["json", "no_such_module_here"], requirements={"dill": "0.3.6"})
    check(len(payload) > fm.PART_BYTES, "the payload needs two parts, it has %d bytes" % len(payload))
    func_hash = c.init(payload)
    check(c.post("init", {"func_hash": func_hash}).x_status == "FOUND", "found after the upload")
    run_id = fm.new_run_id()
    batches = [list(range(start, start + 500)) for start in range(0, 20000, 500)]
    results = [None] * len(batches)
    ready_map(c, func_hash, batches[0], run_id)

    def worker(indexes):
        for index in indexes:
            results[index] = ready_map(c, func_hash, batches[index], run_id)

    threads = [threading.Thread(target=worker, args=(range(n, len(batches), 10),)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(results == [[(x * x, len(BLOB)) for x in batch] for batch in batches], "every batch's results, in order")
    check(c.done(func_hash, run_id).x_status == "DONE", "done")
    check(c.done(func_hash, run_id).x_status == "NOT_FOUND", "a second done finds no run")
    check(c.post("init", {"func_hash": func_hash}).x_status == "NOT_FOUND", "the function went with its last run")


def processed_batch_wire(url):
    c = client(url)
    squares, same = c.init(c.payload(square)), c.init(c.payload(identity))
    run_id = fm.new_run_id()
    ready_map(c, squares, [0], run_id)
    ready_map(c, same, [0], run_id)
    cases = [(squares, [1, 2, 3]), (squares, (4, 5)), (squares, range(6, 9)), (same, [None, (1, "a"), [2.5], {"k": b"v"}])]
    for func_hash, batch in cases:
        reply = c.map(func_hash, batch, run_id)
        check(reply.status == 200 and reply.x_status == "BATCH_PROCESSED", "processed: %r" % reply)
        check(reply.content_type == "application/octet-stream", "octet-stream")
        for header in ("X-Service-Id", "X-Application-Seconds", "X-Map-Seconds", "X-Credits"):
            check(header in reply.headers, header)
        check(0 <= float(reply.headers["X-Map-Seconds"]) <= float(reply.headers["X-Application-Seconds"]), "map within application time")
        expected = [square(x) for x in batch] if func_hash == squares else list(batch)
        check(reply.obj["results"] == expected and [type(r) for r in reply.obj["results"]] == [type(e) for e in expected],
              "results %r" % reply.obj)
    check(c.done(squares, run_id).x_status == "DONE", "done")


def local_modules(url):
    c = client(url)
    func_hash = c.init(c.payload(uses_helper, local_sources=HELPER_SOURCES))
    run_id = fm.new_run_id()
    check(ready_map(c, func_hash, [1, 2, 3], run_id) == [104, 107, 110], "the local modules' code ran")


def raising_function(url):
    c = client(url)
    func_hash = c.init(c.payload(divide, installed_mods=["no_such_module_here"]))
    run_id = fm.new_run_id()
    ready_map(c, func_hash, [4], run_id)
    reply = c.map(func_hash, [1, 3, 5], run_id)
    check(reply.status == 200 and reply.x_status == "PROCESS_ERROR", "process error: %r" % reply)
    check("ZeroDivisionError" in reply.obj["exception"], "the exception: %r" % reply.obj)
    check("%0A" in reply.obj["traceback"] and "\n" not in reply.obj["traceback"], "the traceback's newlines as %0A")
    check("divide" in reply.obj["traceback"].replace("%0A", "\n"), "the traceback names the function")
    check(reply.obj.get("bad_modules") == ["no_such_module_here"], "bad modules: %r" % reply.obj.get("bad_modules"))
    check(ready_map(c, func_hash, [4, 5], run_id) == [10, 5], "the instance serves on")


def bad_signature_and_unknown_hash(url):
    c = client(url)
    check(c.post("auth", {}, signature="0" * 64).status == 403, "a wrong signature is 403")
    wrong = c.post("map", {"func_hash": "0123456789abcdef", "batch": b"x", "label": "", "run_id": "ab"}, signature="1" * 64)
    check(wrong.status == 403 and wrong.x_status == "INVALID_SIGNATURE", "403 before anything else: %r" % wrong)
    unknown = c.map("0123456789abcdef", [1], fm.new_run_id())
    check(unknown.status == 200 and unknown.x_status == "NOT_FOUND", "unknown func_hash: %r" % unknown)
    other = fm.Client(url, "0" * 64)
    check(other.auth().status == 401 and other.auth().x_status == "UNAUTHORIZED", "an unknown bearer is 401")


def tenants_apart(url):
    owner, other = client(url), client(url)
    func_hash = owner.init(owner.payload(square))
    check(other.post("init", {"func_hash": func_hash}).x_status == "NOT_FOUND", "another tenant's probe")
    check(other.map(func_hash, [1], fm.new_run_id()).x_status == "NOT_FOUND", "another tenant's map")


def initializing_then_processed(url):
    c = client(url)
    # Imported while the function is prepared: longer than the gateway holds a batch for a function being prepared.
    slow = {"fm_slow": "import time\ntime.sleep(8)\n"}
    func_hash = c.init(c.payload(square, local_sources=slow))
    first = c.map(func_hash, [2], fm.new_run_id())
    # INITALIZING while the gateway's own preparation runs; when the fleet had no room to prepare ahead (a busy suite),
    # the batch's call starts the instance itself and is answered when it is done.
    check(first.status == 200 and (first.x_status == "INITALIZING" and isinstance(first.obj.get("init_step"), str)
                                   or first.x_status == "BATCH_PROCESSED" and first.obj["results"] == [4]),
          "INITALIZING while the environment is prepared: %r" % first)
    check(ready_map(c, func_hash, [2, 3], fm.new_run_id()) == [4, 9], "then the batch is processed")


def initialization_errors(url):
    c = client(url)
    # Pickled by reference to a module the payload does not carry: it cannot be loaded on the worker.
    sys.modules["fm_missing"] = type(sys)("fm_missing")
    exec("def f(x):\n    return x\n", sys.modules["fm_missing"].__dict__)
    sys.modules["fm_missing"].f.__module__ = "fm_missing"
    unloadable = c.init(c.payload(sys.modules["fm_missing"].f))
    reply = wait_for_status(c, unloadable, "INITIALIZATION_ERROR")
    check("fm_missing" in reply.obj["init_error"] + reply.obj["init_tb"], "names the module: %r" % reply.obj)

    version, sys.version = sys.version, "3.9.18 (main) [GCC 10.2.1]"
    try:
        old = c.init(c.payload(square))
    finally:
        sys.version = version
    reply = wait_for_status(c, old, "INITIALIZATION_ERROR")
    check("3.9" in reply.obj["init_error"], "names the client's Python: %r" % reply.obj)


def timeout(url):
    c = client(url)
    func_hash = c.init(c.payload(sleepy))
    run_id = fm.new_run_id()
    ready_map(c, func_hash, [0], run_id)
    reply = c.map(func_hash, [60], run_id)
    check(reply.x_status == "PROCESS_ERROR" and "TimeoutError" in reply.obj["exception"], "timed out: %r" % reply)
    check(ready_map(c, func_hash, [0, 0], run_id) == [0, 0], "the function serves again")


def corrupt_batch(url):
    c = client(url)
    func_hash = c.init(c.payload(square))
    run_id = fm.new_run_id()
    ready_map(c, func_hash, [1], run_id)
    reply = c.post("map", {"func_hash": func_hash, "batch": b"not a pickle", "label": "", "run_id": run_id})
    check(reply.status == 200 and reply.x_status == "PROCESS_ERROR", "a batch that is not a pickle: %r" % reply)


def maps_through_faults(url, seconds="30"):
    """Ten threads map batches for a while (the test restarts a server meanwhile); every batch's results must be right."""
    c = client(url)
    func_hash = c.init(c.payload(sleepy))
    run_id = fm.new_run_id()
    ready_map(c, func_hash, [0], run_id)
    print("mapping", flush=True)
    end = time.monotonic() + float(seconds)
    counts, failures = [0] * 10, []

    def worker(n):
        try:
            while time.monotonic() < end:
                batch = [0.001] * 50
                check(ready_map(c, func_hash, batch, run_id) == batch, "a batch's results")
                counts[n] += 1
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(not failures, "every batch mapped: %r" % failures[:3])
    check(c.done(func_hash, run_id).x_status == "DONE", "done")
    print("batches", sum(counts))


def wait_for_status(c, func_hash, status):
    for _ in range(300):
        reply = c.map(func_hash, [1], fm.new_run_id())
        if reply.x_status != "INITALIZING":
            check(reply.status == 200 and reply.x_status == status, "expected %s: %r" % (status, reply))
            return reply
        time.sleep(0.2)
    raise AssertionError("still INITALIZING")


if __name__ == "__main__":
    globals()[sys.argv[2]](sys.argv[1], *sys.argv[3:])
    print("ok")
