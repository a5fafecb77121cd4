#!/usr/bin/python3
"""Fastmap side of the benchmark: a trivial function mapped through Fleet's Fastmap API (fastmap.io 0.0.6 protocol).

Issues a secret (POST /api/v1/secret), uploads `square` (defined here, so dill pickles it by value), sends one batch
alone, untimed (it may get INITALIZING while the environment is prepared: re-sent every --retry seconds), then maps
--items items (lists of --batch ints, as the stock client slices a list) over --threads concurrent /map requests, the
stock client's default max_cloud_workers, each on a new connection like the stock client's. Every result is checked
for value and order; the clock runs from the first timed /map to the last result. Then /done.

Prints ONE JSON line on stdout (items_per_s, items, batch, threads, seconds); progress goes to stderr.
Its counterpart is bench/celery/bench.py --chunks ITEMS --chunk-size N on the same RabbitMQ.

Usage: /usr/bin/python3 bench/fastmap_bench.py [--url http://127.0.0.1:8080] [--items 1000000] [--batch 10000]
         [--threads 10] [--samples FILE] [--admin-token TOKEN]
  --samples appends the rate (items/s) to FILE, one line per run. --admin-token defaults to the gateway's own
  Facades__Fastmap__AdminToken from the environment (empty: the gateway issues secrets to loopback callers).
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fastmap"))
import fastmap_client as fm  # noqa: E402


def square(x):
    return x * x


def log(msg):
    print(f"[fastmap-bench] {msg}", file=sys.stderr, flush=True)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway (default http://127.0.0.1:8080)")
    ap.add_argument("--items", type=int, default=1_000_000, help="items mapped (default 1000000)")
    ap.add_argument("--batch", type=int, default=10_000, help="items per /map request (default 10000)")
    ap.add_argument("--threads", type=int, default=10, help="concurrent /map requests (default 10)")
    ap.add_argument("--retry", type=float, default=0.2, help="seconds between re-sends on INITALIZING (default 0.2)")
    ap.add_argument("--samples", help="append the rate (items/s) to this file, one line per run")
    ap.add_argument("--admin-token", default=os.environ.get("Facades__Fastmap__AdminToken") or None)
    args = ap.parse_args()
    if args.items < 1 or args.batch < 1 or args.threads < 1:
        ap.error("--items, --batch and --threads must be >= 1")
    return args


def main():
    args = parse_args()
    client = fm.Client(args.url, fm.issue_secret(args.url, args.admin_token), retry_seconds=args.retry)
    auth = client.auth()
    if auth.x_status != "AUTHORIZED":
        raise SystemExit(f"auth: {auth!r}")
    started = time.perf_counter()
    func_hash = client.init(fm.Client.payload(square))
    run_id = fm.new_run_id()
    log(f"uploaded {func_hash} in {time.perf_counter() - started:.3f} s")

    started = time.perf_counter()
    first = list(range(args.batch))
    if client.map_results(func_hash, first, run_id) != [square(x) for x in first]:
        raise SystemExit("first batch returned unexpected results")
    log(f"first batch (untimed, environment prepared) after {time.perf_counter() - started:.3f} s")

    batches = [list(range(i, min(i + args.batch, args.items))) for i in range(0, args.items, args.batch)]
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda batch: client.map_results(func_hash, batch, run_id), batches))
        elapsed = time.perf_counter() - started
    if [x for batch in results for x in batch] != [square(x) for x in range(args.items)]:
        raise SystemExit("map returned unexpected results")
    done = client.done(func_hash, run_id)
    if done.x_status != "DONE":
        log(f"done: {done!r}")
    rate = args.items / elapsed
    log(f"{len(batches)} batches of {args.batch} over {args.threads} threads in {elapsed:.3f} s: {rate:.1f} items/s")
    if args.samples:
        with open(args.samples, "a", encoding="utf-8") as out:
            out.write(f"{rate:.1f}\n")
    print(json.dumps({"items_per_s": round(rate, 1), "items": args.items, "batch": args.batch,
                      "threads": args.threads, "seconds": round(elapsed, 3)}), flush=True)


if __name__ == "__main__":
    main()
