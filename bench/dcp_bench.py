#!/usr/bin/python3
"""DCP side of the benchmark: a 100,000-slice job of trivial JavaScript work through Fleet's dcp-rest API.

Issues an identity (POST /api/v0/identity: the gateway issues them to loopback callers), runs one small job of the same
work untimed (its function registered, instances started), then deploys --slices slices of `(d) => d + 1` in one
request and polls the job until every slice is returned: slices/s from the deploy request to the last result. Every
result is then read back by range, a page of 10,000 at a time, and checked. Last, the time to fetch 1,000 results by
range (?range=a-b in the middle of the job), the median of --fetches fetches.

Prints ONE JSON line on stdout (slices_per_s, slices, seconds, fetch_1000_ms); progress goes to stderr.
Its counterpart is bench/celery/bench.py --tasks N (one group of N trivial tasks) on the same RabbitMQ.

Usage: /usr/bin/python3 bench/dcp_bench.py [--url http://127.0.0.1:8080] [--slices 100000] [--fetches 5]
         [--samples FILE] [--fetch-samples FILE]
  --samples appends the rate (slices/s) to FILE, --fetch-samples each 1,000-result fetch (ms), one per line.
"""
import argparse
import base64
import json
import statistics
import sys
import time
import urllib.request

WORK = "(d) => d + 1"
PAGE = 10_000


def log(msg):
    print(f"[dcp-bench] {msg}", file=sys.stderr, flush=True)


class Dcp:
    def __init__(self, url):
        self.url = url.rstrip("/") + "/api/v0/"
        self.auth = None

    def call(self, method, path, body=None, expected=200):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.auth:
            request.add_header("Authorization", self.auth)
        with urllib.request.urlopen(request, timeout=300) as response:
            if response.status != expected:
                raise RuntimeError(f"{method} {path}: {response.status}")
            return json.loads(response.read())

    def identity(self, password):
        keystore = self.call("POST", "identity", {"password": password}, 201)
        self.auth = "Basic " + base64.b64encode((json.dumps(keystore) + ":" + password).encode()).decode()

    def run(self, slices):
        """Deploys, waits for every result; answers the job id and the seconds from the deploy to the last result."""
        started = time.perf_counter()
        job = self.call("POST", "job", {"slices": slices, "work": {"function": WORK}}, 201)["jobId"]
        while True:
            status = self.call("GET", f"job/{job}")
            if status["completedSlices"] == len(slices):
                return job, time.perf_counter() - started
            if status["status"] in ("corrupted", "cancelled"):
                raise RuntimeError(f"job {job} ended {status['status']}: {status}")
            time.sleep(0.02)

    def results(self, job, first, last):
        return self.call("GET", f"job/{job}/result?range={first}-{last}")["results"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway (default http://127.0.0.1:8080)")
    ap.add_argument("--slices", type=int, default=100_000, help="slices in the timed job (default 100000)")
    ap.add_argument("--fetches", type=int, default=5, help="timed fetches of 1,000 results (default 5)")
    ap.add_argument("--samples", help="append the rate (slices/s) to this file")
    ap.add_argument("--fetch-samples", help="append each 1,000-result fetch (ms) to this file")
    args = ap.parse_args()
    if args.slices < 1000:
        ap.error("--slices must be at least 1000")

    dcp = Dcp(args.url)
    dcp.identity("bench")
    log("warm-up: a job of 1,000 slices (not reported)")
    dcp.run(list(range(1000)))

    log(f"a job of {args.slices} slices")
    job, seconds = dcp.run(list(range(args.slices)))
    rate = args.slices / seconds
    log(f"every slice returned after {seconds:.3f} s: {rate:.0f} slices/s")

    values = []
    for first in range(1, args.slices + 1, PAGE):
        values.extend(r["value"] for r in dcp.results(job, first, min(first + PAGE - 1, args.slices)))
    if values != [n + 1 for n in range(args.slices)]:
        raise RuntimeError("the job's results are not every slice's, in order")

    middle = args.slices // 2
    fetches = []
    for _ in range(args.fetches):
        started = time.perf_counter()
        fetched = dcp.results(job, middle + 1, middle + 1000)
        fetches.append((time.perf_counter() - started) * 1000.0)
        if len(fetched) != 1000:
            raise RuntimeError(f"fetched {len(fetched)} results, not 1000")
    fetch = statistics.median(fetches)
    log(f"1,000 results by range: median {fetch:.1f} ms of {args.fetches}")

    if args.samples:
        with open(args.samples, "a", encoding="utf-8") as out:
            out.write(f"{rate:.4f}\n")
    if args.fetch_samples:
        with open(args.fetch_samples, "a", encoding="utf-8") as out:
            out.writelines(f"{sample:.4f}\n" for sample in fetches)
    print(json.dumps({"slices_per_s": rate, "slices": args.slices, "seconds": seconds, "fetch_1000_ms": fetch}))


if __name__ == "__main__":
    main()
