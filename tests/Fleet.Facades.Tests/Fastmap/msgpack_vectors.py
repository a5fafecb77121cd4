"""Test vectors for Fleet's msgpack: each object as Debian's python3-msgpack packs it (use_bin_type=True, as the
fastmap client does), printed as JSON {name: hex}."""
import json
import msgpack

CASES = {
    "empty map": {},
    "init step": {"init_step": "preparing the function's environment"},
    "process error": {"exception": "ValueError('boom')", "traceback": "Traceback%0A  File", "bad_modules": ["a", "b.c"]},
    "strings at each width": ["", "a" * 31, "a" * 32, "a" * 255, "a" * 256, "a" * 65535, "a" * 65536],
    "unicode": ["\u00e9", "\U0001f600", "\u65e5\u672c"],
    "positive integers": [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1],
    "negative integers": [-1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63],
    "floats": [0.5, -2.25, 1e300, 0.0],
    "bytes at each width": [b"", b"x" * 255, b"x" * 256, b"x" * 65535, b"x" * 65536],
    "arrays at each width": [list(range(15)), list(range(16)), list(range(65536))],
    "maps at each width": [{str(i): i for i in range(15)}, {str(i): i for i in range(16)}, {str(i): i for i in range(65536)}],
    "constants": [True, False, None],
    "nested": {"a": {"b": [{"c": b"\x00\xff"}, [], {}]}},
}

print(json.dumps({name: msgpack.packb(value, use_bin_type=True).hex() for name, value in CASES.items()}))
