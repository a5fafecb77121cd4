"""A small client for the Fastmap cloud API as Fleet serves it (fastmap.io client 0.0.6).

Written from the wire specification (/work/shared/specs/fastmap.md), not from the
upstream client, so tests and the benchmark can drive each step of the protocol
on their own: /secret, /auth, /init (probe + upload), /map, /done.

Runs on Debian's /usr/bin/python3 with python3-msgpack, python3-dill and
python3-requests only.

    client = Client("http://127.0.0.1:8080", issue_secret("http://127.0.0.1:8080"))
    func_hash = client.init(client.payload(lambda x: x * x))
    run_id = new_run_id()
    assert client.map_results(func_hash, [1, 2, 3], run_id) == [1, 4, 9]
    client.done(func_hash, run_id)

Every request is a POST of a msgpack map (use_bin_type=True) with the four headers
of the stock client and no Content-Type; every reply is parsed as the stock client
parses it (exact Content-Type compare, signed octet-stream bodies only).
"""

import gzip
import hashlib
import hmac
import secrets
import sys
import time

import dill
import msgpack
import requests

CLIENT_VERSION = "0.0.6"
PART_BYTES = 20 * 1024 * 1024


class FastmapError(Exception):
    """A reply the protocol does not allow at this step; `reply` holds it (or None)."""

    def __init__(self, message, reply=None):
        super().__init__(message)
        self.reply = reply


class Reply:
    """One parsed response: HTTP status, X-Status, headers, Content-Type and the decoded body."""

    def __init__(self, response, hmac_key):
        self.status = response.status_code
        self.headers = response.headers
        self.x_status = response.headers.get("X-Status")
        self.content_type = response.headers.get("Content-Type")
        self.body = response.content
        self.obj = None
        if self.content_type == "application/msgpack":
            self.obj = msgpack.unpackb(self.body, raw=False)
        elif self.content_type == "application/octet-stream":
            signature = response.headers.get("X-Content-Signature")
            if signature is None:
                raise FastmapError("octet-stream reply is not signed", self)
            if not hmac.compare_digest(signature, sign(hmac_key, self.body)):
                raise FastmapError("octet-stream reply has a wrong signature", self)
            self.obj = dill.loads(gzip.decompress(self.body))

    def __repr__(self):
        return "Reply(%d, %r, %r, %r)" % (self.status, self.x_status, self.content_type,
                                         self.obj if self.obj is not None else self.body[:200])


def sign(key, body):
    """Lowercase hex HMAC-SHA256 of the exact body bytes."""
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def new_run_id():
    return secrets.token_hex(8)


def func_hash(payload):
    """The first 16 hex digits of SHA-256 over the gzipped payload."""
    return hashlib.sha256(payload).hexdigest()[:16]


def issue_secret(url, admin_token=None):
    """POST /api/v1/secret (Fleet's own endpoint) and return the new 64-char secret."""
    headers = {"Authorization": "Bearer " + admin_token} if admin_token else {}
    response = requests.post(url.rstrip("/") + "/api/v1/secret", headers=headers)
    if response.status_code != 201:
        raise FastmapError("secret: HTTP %d %r" % (response.status_code, response.content[:200]))
    return response.json()["secret"]


class Client:
    def __init__(self, url, secret, session=None, retry_seconds=5.0):
        if len(secret) != 64:
            raise ValueError("a Fastmap secret has 64 characters")
        self.url = url.rstrip("/")
        self.token = secret[:32]
        self.key = secret[32:].encode("ascii")
        self.post_with = session.post if session is not None else requests.post
        self.retry_seconds = retry_seconds

    def post(self, path, obj_or_bytes, signature=None):
        """POST a msgpack map (or raw bytes) to /api/v1/<path>; signature overrides the HMAC."""
        if isinstance(obj_or_bytes, bytes):
            body = obj_or_bytes
        else:
            body = msgpack.packb(obj_or_bytes, use_bin_type=True)
        headers = {
            "Authorization": "Bearer " + self.token,
            "X-Python-Version": sys.version.replace("\n", ""),
            "X-Client-Version": CLIENT_VERSION,
            "X-Content-Signature": signature if signature is not None else sign(self.key, body),
        }
        return Reply(self.post_with(self.url + "/api/v1/" + path.lstrip("/"),
                                    data=body, headers=headers), self.key)

    def auth(self):
        return self.post("auth", {})

    @staticmethod
    def payload(func, local_sources=None, installed_mods=None, requirements=None):
        """The gzipped function payload /init uploads (hash it with func_hash)."""
        return gzip.compress(msgpack.packb({
            "func": dill.dumps(func, recurse=True),
            "local_sources": local_sources or {},
            "installed_mods": list(installed_mods or []),
            "requirements": requirements or {},
        }, use_bin_type=True), compresslevel=1)

    def init(self, payload, part_bytes=PART_BYTES):
        """Probe the payload's hash and upload it in order on NOT_FOUND; returns the hash."""
        digest = func_hash(payload)
        probe = self.post("init", {"func_hash": digest})
        if probe.status == 200 and probe.x_status == "FOUND":
            return digest
        if probe.status != 200 or probe.x_status != "NOT_FOUND":
            raise FastmapError("init probe: %r" % probe, probe)
        parts = [payload[i:i + part_bytes] for i in range(0, len(payload), part_bytes)]
        for index, part in enumerate(parts):
            reply = self.post("init", {"func_hash": digest, "func": part,
                                       "payload_part": index, "payload_len": len(parts)})
            if reply.status != 200 or reply.x_status != "UPLOADED":
                raise FastmapError("init part %d/%d: %r" % (index, len(parts), reply), reply)
        return digest

    def map(self, func_hash, batch, run_id, label=""):
        """One /map request for one batch; the raw Reply, whatever it says."""
        return self.post("map", {"func_hash": func_hash,
                                 "batch": gzip.compress(dill.dumps(batch), compresslevel=1),
                                 "label": label, "run_id": run_id})

    def map_results(self, func_hash, batch, run_id, label="", retry_seconds=None):
        """/map, re-sent on INITALIZING, until BATCH_PROCESSED: the results list."""
        wait = self.retry_seconds if retry_seconds is None else retry_seconds
        while True:
            reply = self.map(func_hash, batch, run_id, label)
            if reply.status == 200 and reply.x_status == "INITALIZING":
                time.sleep(wait)
                continue
            if reply.status == 200 and reply.x_status == "BATCH_PROCESSED":
                return reply.obj["results"]
            raise FastmapError("map: %r" % reply, reply)

    def done(self, func_hash, run_id):
        return self.post("done", {"func_hash": func_hash, "run_id": run_id})
