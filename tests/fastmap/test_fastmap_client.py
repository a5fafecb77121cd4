"""Self-tests of fastmap_client.py: the spec's signature vectors and a round trip against a
stub server in this process (stdlib http.server) that checks what the client sends.

    /usr/bin/python3 tests/fastmap/test_fastmap_client.py
"""

import gzip
import hashlib
import http.server
import os
import sys
import threading
import unittest

import dill
import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fastmap_client as fm  # noqa: E402

SECRET = "0123456789abcdef" * 4
KEY = SECRET[32:].encode("ascii")


class Stub(http.server.BaseHTTPRequestHandler):
    """Just enough of the server: checks headers and signature, keeps payloads, runs batches."""
    parts, payloads, requests_seen = {}, {}, []
    initializing = 0  # how many /map replies are INITALIZING before batches run

    def log_message(self, *args):
        pass

    def reply(self, x_status, obj=None, raw=None, content_type="application/msgpack"):
        body = raw if raw is not None else msgpack.packb(obj or {}, use_bin_type=True)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("X-Status", x_status)
        if raw is not None:
            self.send_header("X-Content-Signature", fm.sign(KEY, body))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Stub.requests_seen.append((self.path, dict(self.headers)))
        assert self.headers["Authorization"] == "Bearer " + SECRET[:32]
        assert "Content-Type" not in self.headers
        if self.headers["X-Content-Signature"] != fm.sign(KEY, body):
            return self.reply("INVALID_SIGNATURE")
        obj = msgpack.unpackb(body, raw=False)
        name = self.path.rsplit("/", 1)[-1]
        if name == "auth":
            return self.reply("AUTHORIZED")
        if name == "init" and "func" not in obj:
            return self.reply("FOUND" if obj["func_hash"] in Stub.payloads else "NOT_FOUND")
        if name == "init":
            parts = Stub.parts.setdefault(obj["func_hash"], [])
            assert obj["payload_part"] == len(parts), "parts out of order"
            parts.append(obj["func"])
            if len(parts) == obj["payload_len"]:
                whole = b"".join(parts)
                assert fm.func_hash(whole) == obj["func_hash"]
                Stub.payloads[obj["func_hash"]] = msgpack.unpackb(gzip.decompress(whole), raw=False)
            return self.reply("UPLOADED")
        if name == "map":
            payload = Stub.payloads.get(obj["func_hash"])
            if payload is None:
                return self.reply("NOT_FOUND")
            if Stub.initializing > 0:
                Stub.initializing -= 1
                return self.reply("INITALIZING", {"init_step": "preparing"})
            func = dill.loads(payload["func"])
            results = [func(x) for x in dill.loads(gzip.decompress(obj["batch"]))]
            return self.reply("BATCH_PROCESSED", raw=gzip.compress(dill.dumps({"results": results})),
                              content_type="application/octet-stream")
        if name == "done":
            return self.reply("DONE")


class ClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.client = fm.Client("http://127.0.0.1:%d/" % cls.server.server_port, SECRET, retry_seconds=0.01)

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def test_spec_signature_vectors(self):
        self.assertEqual(fm.sign(KEY, bytes.fromhex("80")),
                         "3e6302d87b450cf723ae430ee9dedbe617ff6b776e9437aed8d9f7305d6a3ddd")
        body = msgpack.packb({"func_hash": "91931bd8152bf920", "run_id": "a727e185a62d2745"}, use_bin_type=True)
        self.assertEqual(len(body), 52)
        self.assertEqual(fm.sign(KEY, body), "8cdded0b0dbac351943ad9a6bbaef3b021d15e15c80a9bb52b224592f88b3d4e")

    def test_payload_holds_the_four_keys_and_hashes_the_gzip(self):
        payload = fm.Client.payload(lambda x: x + 1, requirements={"dill": "0.3.6"})
        obj = msgpack.unpackb(gzip.decompress(payload), raw=False)
        self.assertEqual(sorted(obj), ["func", "installed_mods", "local_sources", "requirements"])
        self.assertEqual(dill.loads(obj["func"])(1), 2)
        self.assertEqual(fm.func_hash(payload), hashlib.sha256(payload).hexdigest()[:16])

    def test_auth_headers(self):
        reply = self.client.auth()
        self.assertEqual((reply.status, reply.x_status, reply.obj), (200, "AUTHORIZED", {}))
        headers = Stub.requests_seen[-1][1]
        self.assertEqual(headers["X-Client-Version"], "0.0.6")
        self.assertNotIn("\n", headers["X-Python-Version"])

    def test_wrong_signature_is_sent_as_given(self):
        self.assertEqual(self.client.post("auth", {}, signature="00" * 32).x_status, "INVALID_SIGNATURE")

    def test_upload_in_parts_map_with_retry_then_found_and_done(self):
        payload = fm.Client.payload(lambda x: (x, None))
        digest = self.client.init(payload, part_bytes=max(1, len(payload) // 3))
        self.assertGreaterEqual(len(Stub.parts[digest]), 3)
        self.assertEqual(self.client.init(payload), digest)  # FOUND: no upload
        run_id = fm.new_run_id()
        Stub.initializing = 2
        self.assertEqual(self.client.map_results(digest, range(5), run_id), [(x, None) for x in range(5)])
        self.assertEqual(Stub.initializing, 0)
        self.assertEqual(self.client.done(digest, run_id).x_status, "DONE")

    def test_map_on_unknown_hash_raises_with_the_reply(self):
        with self.assertRaises(fm.FastmapError) as caught:
            self.client.map_results("0" * 16, [1], fm.new_run_id())
        self.assertEqual(caught.exception.reply.x_status, "NOT_FOUND")

    def test_unsigned_octet_stream_is_refused(self):
        class Response:
            status_code, content = 200, gzip.compress(dill.dumps({"results": [1]}))
            headers = {"Content-Type": "application/octet-stream", "X-Status": "BATCH_PROCESSED"}
        with self.assertRaises(fm.FastmapError):
            fm.Reply(Response, KEY)
        Response.headers = dict(Response.headers, **{"X-Content-Signature": "ab" * 32})
        with self.assertRaises(fm.FastmapError):
            fm.Reply(Response, KEY)


if __name__ == "__main__":
    unittest.main()
