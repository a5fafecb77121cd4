"""What Fastmap's client (0.0.6) makes and reads, for FastmapMapTests: run by /usr/bin/python3 with Debian's dill and msgpack.

One JSON request on stdin, one JSON answer on stdout:
  {"op": "package", "main": source, "func": name, "modules": {name: source}, "unpackaged": {name: source},
   "installedMods": [...], "requirements": {...}, "pythonVersion": "3.11" | null}
      -> {"package": base64 tar, "python": this Python's version}. main runs as this process's __main__, so dill pickles its functions by value, as the
         client does; func may also be "module.name", a function of a module, pickled by reference. modules are
         packaged under src/ (and listed as localModules); unpackaged ones are importable here only. A requirement
         whose version is null gets the version installed here, as the client's detection would find it.
  {"op": "batch", "expr": "range(5)"} -> {"batch": base64 of gzip(dill.dumps(eval(expr)))}
  {"op": "decode", "output": base64 msgpack} -> the map, with "results" as the repr of the unpickled list (types shown
         exactly) and "map_seconds" as the name of its type.
"""
import base64
import gzip
import importlib
import importlib.metadata
import io
import json
import os
import sys
import tarfile
import tempfile

import dill
import msgpack


def module_paths(names):
    """src/ paths as the core lays them out: a.b is src/a/b.py, a name prefixing another's is src/<name>/__init__.py."""
    return {name: "src/" + name.replace(".", "/") + ("/__init__.py" if any(other.startswith(name + ".") for other in names) else ".py")
            for name in names}


def write_modules(directory, modules):
    for name, path in module_paths(list(modules)).items():
        target = os.path.join(directory, path[len("src/"):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as file:
            file.write(modules[name])


def package(request):
    modules, unpackaged = request.get("modules", {}), request.get("unpackaged", {})
    with tempfile.TemporaryDirectory() as directory:
        write_modules(directory, dict(modules, **unpackaged))
        sys.path.insert(0, directory)
        exec(compile(request.get("main", ""), "client.py", "exec"), globals())
        module_name, _, name = request["func"].rpartition(".")
        func = getattr(importlib.import_module(module_name), name) if module_name else globals()[name]
        func_bytes = dill.dumps(func, recurse=True)
    requirements = {name: version if version is not None else importlib.metadata.version(name)
                    for name, version in request.get("requirements", {}).items()}
    environment = {"installedMods": request.get("installedMods", []), "requirements": requirements,
                   "pythonVersion": request.get("pythonVersion", "%d.%d" % sys.version_info[:2]), "localModules": list(modules)}
    files = {"fastmap/func.dill": func_bytes, "fastmap/environment.json": json.dumps(environment).encode()}
    files.update({path: modules[name].encode() for name, path in module_paths(list(modules)).items()})
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
    return {"package": base64.b64encode(tar.getvalue()).decode(), "python": sys.version.split()[0]}


def decode(request):
    reply = msgpack.unpackb(base64.b64decode(request["output"]), raw=False)
    if "results" in reply:
        reply["results"] = repr(dill.loads(gzip.decompress(reply["results"]))["results"])
    if "map_seconds" in reply:
        reply["map_seconds"] = type(reply["map_seconds"]).__name__
    return reply


def main():
    request = json.load(sys.stdin)
    if request["op"] == "package":
        answer = package(request)
    elif request["op"] == "batch":
        answer = {"batch": base64.b64encode(gzip.compress(dill.dumps(eval(request["expr"])), compresslevel=1)).decode()}
    else:
        answer = decode(request)
    json.dump(answer, sys.stdout)


main()
