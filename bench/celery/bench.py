#!/usr/bin/python3
"""Celery baseline for the Fleet benchmark.

Starts a Celery worker (prefork, 2 processes) on tasks.py, then measures
  * sync round trip: N sequential noop.delay(i).get() calls -> p50/p99 in ms
  * throughput: M noop tasks sent as one group, tasks/s from first send to last result
    (--drain: the worker's own pace instead; it stops consuming while the group is sent, and the clock runs from
    when it resumes to the last result, so the sending is not counted)
  * chunks: square(x) over ITEMS items as Celery's chunks of N (ITEMS/N tasks of N calls each), items/s from first
    send to last result, the counterpart of Fastmap's batched /map (bench/fastmap_bench.py)
and prints ONE JSON line on stdout. Progress goes to stderr.

Usage: /usr/bin/python3 bench.py [--broker amqp://...] [--sync N] [--tasks M] [--samples FILE]
  [--chunks ITEMS --chunk-size N --chunks-samples FILE]
  --tasks 0 skips the throughput run; --samples appends each sync round trip (ms) to FILE, one per line.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_PROCESSES = 2
WARMUP_CALLS = 50


def log(msg):
    print(f"[celery-bench] {msg}", file=sys.stderr, flush=True)


def percentile(sorted_samples, p):
    # Nearest rank, same definition as Fleet.Bench's Scenarios.Percentile.
    n = len(sorted_samples)
    return sorted_samples[min(n - 1, max(0, math.ceil(p * n) - 1))]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL"),
                    help="AMQP broker URL (default: env CELERY_BROKER_URL)")
    ap.add_argument("--sync", type=int, default=500, help="sequential round trips measured (default 500)")
    ap.add_argument("--tasks", type=int, default=5000, help="tasks in the throughput group (default 5000; 0 skips it)")
    ap.add_argument("--samples", help="append each sync round trip (ms) to this file, one per line")
    ap.add_argument("--rate-samples", help="append the throughput (tasks/s) to this file, one line per run")
    ap.add_argument("--drain", action="store_true",
                    help="time the worker draining an already sent group, not the send and the run together")
    ap.add_argument("--chunks", type=int, default=0, metavar="ITEMS",
                    help="items mapped through square.chunks (default 0: skipped)")
    ap.add_argument("--chunk-size", type=int, default=10000, metavar="N", help="items per chunk task (default 10000)")
    ap.add_argument("--chunks-samples", help="append the chunks rate (items/s) to this file, one line per run")
    ap.add_argument("--queue", default="celery-bench", help="dedicated queue name (default celery-bench)")
    args = ap.parse_args()
    if not args.broker:
        ap.error("no broker: pass --broker or set CELERY_BROKER_URL")
    if args.sync < 1 or args.tasks < 0 or args.chunks < 0 or args.chunk_size < 1:
        ap.error("--sync must be >= 1, --tasks and --chunks >= 0, --chunk-size >= 1")
    return args


def start_worker(env, queue):
    cmd = [
        sys.executable, "-m", "celery", "-A", "tasks", "worker",
        "-P", "prefork", "-c", str(WORKER_PROCESSES),
        "-Q", queue,
        "-n", f"celerybench-{os.getpid()}@%h",
        "-l", "WARNING",
        # No inter-worker chatter over broadcast exchanges: keeps the run isolated
        # from other workers on the broker and does not touch the task path.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]
    log("starting worker: " + " ".join(cmd))
    # Own session so the prefork children can be killed as a group if needed.
    # Worker logs go to our stderr; our stdout stays reserved for the JSON line.
    return subprocess.Popen(cmd, cwd=HERE, env=env, stdin=subprocess.DEVNULL,
                            stdout=sys.stderr, stderr=sys.stderr, start_new_session=True)


def stop_worker(proc):
    if proc.poll() is not None:
        log(f"worker already exited with {proc.returncode}")
        return
    log("stopping worker (SIGTERM, warm shutdown)")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
        log(f"worker stopped ({proc.returncode})")
    except subprocess.TimeoutExpired:
        log("worker did not stop within 10 s, killing its process group")
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    # Reap any prefork child that outlived the main process.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def wait_ready(noop, proc, timeout=60.0):
    """A first full round trip proves the worker consumes our queue and results come back."""
    deadline = time.monotonic() + timeout
    result = noop.delay(-1)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early with code {proc.returncode}")
        try:
            return result.get(timeout=1.0)
        except Exception as exc:  # celery.exceptions.TimeoutError until the worker is up
            if type(exc).__name__ != "TimeoutError":
                raise
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker not ready after {timeout:.0f} s")


def measure_sync(noop, calls, samples_file):
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        noop.delay(i).get(timeout=30)
        samples.append((time.perf_counter() - started) * 1000.0)
    if samples_file:
        with open(samples_file, "a", encoding="utf-8") as out:
            out.writelines(f"{sample:.4f}\n" for sample in samples)
    samples.sort()
    return percentile(samples, 0.50), percentile(samples, 0.99)


def measure_throughput(app, noop, group, count, queue, drain):
    if drain:
        app.control.cancel_consumer(queue, reply=True)
        res = group(noop.s(i) for i in range(count)).apply_async()
        started = time.perf_counter()
        app.control.add_consumer(queue, reply=True)
    else:
        started = time.perf_counter()
        res = group(noop.s(i) for i in range(count)).apply_async()
    sent = time.perf_counter()
    values = res.get(timeout=max(60.0, count / 20.0))
    elapsed = time.perf_counter() - started
    if len(values) != count or any(not v.get("ok") for v in values):
        raise RuntimeError("throughput run returned unexpected results")
    log(f"throughput: {'resumed consuming' if drain else f'sent {count}'} in {sent - started:.3f} s, all results after {elapsed:.3f} s")
    return count / elapsed


def measure_chunks(square, items, size):
    """square.chunks(zip(range(items)), size) as one group: items/s from first send to last result, checked in order."""
    # One chunk first, untimed, as the Fastmap side's first batch is.
    square.chunks(zip(range(size)), size).group().apply_async().get(timeout=60)
    started = time.perf_counter()
    res = square.chunks(zip(range(items)), size).group().apply_async()
    sent = time.perf_counter()
    values = [x for chunk in res.get(timeout=max(60.0, items / 2000.0)) for x in chunk]
    elapsed = time.perf_counter() - started
    if values != [x * x for x in range(items)]:
        raise RuntimeError("chunks run returned unexpected results")
    log(f"chunks: sent {-(-items // size)} chunk tasks in {sent - started:.3f} s, all results after {elapsed:.3f} s")
    return items / elapsed


def main():
    args = parse_args()
    env = dict(os.environ, CELERY_BROKER_URL=args.broker, CELERY_BENCH_QUEUE=args.queue)
    os.environ.update(CELERY_BROKER_URL=args.broker, CELERY_BENCH_QUEUE=args.queue)
    sys.path.insert(0, HERE)
    from celery import group
    from tasks import app, noop, square

    try:
        purged = app.control.purge()  # only the configured (dedicated) queue
        if purged:
            log(f"purged {purged} stale message(s) from queue {args.queue}")
    except Exception as exc:
        log(f"purge skipped: {exc!r}")

    proc = start_worker(env, args.queue)
    try:
        t0 = time.monotonic()
        wait_ready(noop, proc)
        log(f"worker ready after {time.monotonic() - t0:.2f} s")

        log(f"warm-up: {WARMUP_CALLS} sync calls + a 500-task group")
        for i in range(WARMUP_CALLS):
            noop.delay(i).get(timeout=30)
        group(noop.s(i) for i in range(500)).apply_async().get(timeout=60)

        log(f"sync: {args.sync} sequential round trips")
        p50, p99 = measure_sync(noop, args.sync, args.samples)
        log(f"sync p50 {p50:.3f} ms, p99 {p99:.3f} ms")

        rate = None
        if args.tasks:
            log(f"throughput: {args.tasks} tasks in one group")
            rate = measure_throughput(app, noop, group, args.tasks, args.queue, args.drain)
            log(f"throughput {rate:.1f} tasks/s")
            if args.rate_samples:
                with open(args.rate_samples, "a", encoding="utf-8") as out:
                    out.write(f"{rate:.1f}\n")

        chunks_rate = None
        if args.chunks:
            log(f"chunks: {args.chunks} items in chunks of {args.chunk_size}")
            chunks_rate = measure_chunks(square, args.chunks, args.chunk_size)
            log(f"chunks {chunks_rate:.1f} items/s")
            if args.chunks_samples:
                with open(args.chunks_samples, "a", encoding="utf-8") as out:
                    out.write(f"{chunks_rate:.1f}\n")
    finally:
        stop_worker(proc)

    print(json.dumps({
        "sync_p50_ms": round(p50, 3),
        "sync_p99_ms": round(p99, 3),
        "tasks_per_s": None if rate is None else round(rate, 1),
        "sync_calls": args.sync,
        "async_tasks": args.tasks,
        "chunks_items_per_s": None if chunks_rate is None else round(chunks_rate, 1),
        "chunk_items": args.chunks,
        "chunk_size": args.chunk_size,
        "worker_processes": WORKER_PROCESSES,
    }), flush=True)


if __name__ == "__main__":
    main()
