#!/usr/bin/env bash
# check.sh: builds every demo with fleet-wasm-cc into a temp dir, prints each
# module's imports and exports, and fails if a module imports from "env"
# anything that is not in imports.txt (name and signature), imports a WASI
# call that wasi_snapshot_preview1 does not have, imports from any other
# module, or lacks an export Fleet relies on (_start, memory,
# __wasm_call_ctors, __indirect_function_table, malloc, free).
set -euo pipefail

sdk="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

status=0
for src in "$sdk"/demo/*.c "$sdk"/demo/*.cpp; do
    name="$(basename "${src%.*}")"
    wasm="$out/$name.wasm"
    if ! "$sdk/fleet-wasm-cc" -o "$wasm" "$src"; then
        echo "FAIL $name: does not build" >&2
        status=1
        continue
    fi
    echo "== $name ($(stat -c %s "$wasm") bytes)"
    if ! /usr/bin/python3 - "$sdk/imports.txt" "$wasm" <<'PY'
import sys

# Every function of WASI preview 1.
WASI = set("""
args_get args_sizes_get environ_get environ_sizes_get clock_res_get
clock_time_get fd_advise fd_allocate fd_close fd_datasync fd_fdstat_get
fd_fdstat_set_flags fd_fdstat_set_rights fd_filestat_get
fd_filestat_set_size fd_filestat_set_times fd_pread fd_prestat_get
fd_prestat_dir_name fd_pwrite fd_read fd_readdir fd_renumber fd_seek
fd_sync fd_tell fd_write path_create_directory path_filestat_get
path_filestat_set_times path_link path_open path_readlink
path_remove_directory path_rename path_symlink path_unlink_file
poll_oneoff proc_exit proc_raise sched_yield random_get sock_accept
sock_recv sock_send sock_shutdown
""".split())
NEEDED_EXPORTS = ["_start", "memory", "__wasm_call_ctors",
                  "__indirect_function_table", "malloc", "free"]
VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64",
            0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}
KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}

allowed = {}
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            fname, sig = line.split()
            allowed[fname] = sig

data = open(sys.argv[2], "rb").read()
if data[:8] != b"\0asm\1\0\0\0":
    sys.exit("not a wasm 1.0 module")

pos = 8

def u32():
    global pos
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result

def name():
    global pos
    n = u32()
    s = data[pos:pos + n].decode("utf-8")
    pos += n
    return s

def limits():
    global pos
    flags = data[pos]
    pos += 1
    u32()
    if flags & 1:
        u32()

types, imports, exports = [], [], []
while pos < len(data):
    sid = data[pos]
    pos += 1
    size = u32()
    end = pos + size
    if sid == 1:
        for _ in range(u32()):
            assert data[pos] == 0x60
            pos += 1
            params = [VALTYPES[data[pos + i]] for i in range(u32())]
            pos += len(params)
            results = [VALTYPES[data[pos + i]] for i in range(u32())]
            pos += len(results)
            types.append("(%s)->%s" % (",".join(params),
                         results[0] if len(results) == 1
                         else "(%s)" % ",".join(results)))
    elif sid == 2:
        for _ in range(u32()):
            mod, field, kind = name(), name(), data[pos]
            pos += 1
            if kind == 0:
                sig = types[u32()]
            elif kind == 1:
                pos += 1
                limits()
                sig = "table"
            elif kind == 2:
                limits()
                sig = "memory"
            elif kind == 3:
                pos += 2
                sig = "global"
            else:
                sys.exit("unknown import kind %d" % kind)
            imports.append((mod, field, KINDS[kind], sig))
    elif sid == 7:
        for _ in range(u32()):
            field, kind = name(), data[pos]
            pos += 1
            u32()
            exports.append((field, KINDS.get(kind, str(kind))))
    pos = end

bad = []
for mod, field, kind, sig in imports:
    print("  import %s.%s %s" % (mod, field, sig))
    if mod == "env":
        if kind != "func" or field not in allowed:
            bad.append("%s.%s is not a Fleet host call" % (mod, field))
        elif allowed[field] != sig:
            bad.append("%s.%s is %s, imports.txt says %s"
                       % (mod, field, sig, allowed[field]))
    elif mod == "wasi_snapshot_preview1":
        if kind != "func" or field not in WASI:
            bad.append("%s.%s is not in WASI preview 1" % (mod, field))
    else:
        bad.append("%s.%s: unexpected module %s" % (mod, field, mod))
names = [e[0] for e in exports]
print("  exports " + " ".join(names))
for e in NEEDED_EXPORTS:
    if e not in names:
        bad.append("no export " + e)
for b in bad:
    print("  BAD " + b)
sys.exit(1 if bad else 0)
PY
    then
        echo "FAIL $name" >&2
        status=1
    fi
done

if [ "$status" = 0 ]; then
    echo "check.sh: all demos ok"
fi
exit "$status"
