namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A custom image built by the tests from the local base image (no registry here): our own small executor in Python
/// speaking Serverledge's executor protocol on port 8080 (POST /invoke, CUSTOM_CMD run with PARAMS_FILE and
/// RESULT_FILE, Result the file's raw text, non-zero exit a failure), and a function that sums, sleeps, fails or
/// probes the network. Named <c>fleet-test-custom-&lt;guid&gt;</c> and removed at the end.
/// </summary>
internal sealed class CustomImage : IAsyncDisposable
{
    /// <summary>Debian: <c>FLEET_DEBIAN_IMAGE</c> (test.sh sets the fleet-local stand-in), else the official slim image.</summary>
    public static readonly string BaseImage = Environment.GetEnvironmentVariable("FLEET_DEBIAN_IMAGE") is { Length: > 0 } image ? image : "debian:bookworm-slim";

    private static readonly string Dockerfile = $"""
        FROM {BaseImage}
        RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
        COPY executor.py function.py /
        ENV CUSTOM_CMD="python3 /function.py"
        CMD ["python3", "/executor.py"]
        """;

    private const string Executor = """
        import json, os, subprocess
        from http.server import BaseHTTPRequestHandler, HTTPServer

        RESULT_FILE = "/tmp/_result"
        PARAMS_FILE = "/tmp/_params.json"


        class Invoke(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.path != "/invoke":
                    self.send_error(404)
                    return
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                env = dict(os.environ, RESULT_FILE=RESULT_FILE, HANDLER=request.get("Handler") or "", HANDLER_DIR=request.get("HandlerDir") or "")
                if request.get("Params") is None:
                    env["PARAMS_FILE"] = ""
                else:
                    with open(PARAMS_FILE, "w") as params:
                        json.dump(request["Params"], params)
                    env["PARAMS_FILE"] = PARAMS_FILE
                if os.path.exists(RESULT_FILE):
                    os.remove(RESULT_FILE)
                command = request.get("Command") or os.environ["CUSTOM_CMD"].split(" ")
                run = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                success = run.returncode == 0
                result = ""
                if success and os.path.exists(RESULT_FILE):
                    with open(RESULT_FILE) as written:
                        result = written.read()
                output = run.stdout.decode(errors="replace") if request.get("ReturnOutput") else ""
                body = json.dumps({"Success": success, "Result": result, "Output": output}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass


        HTTPServer(("0.0.0.0", 8080), Invoke).serve_forever()
        """;

    private const string Function = """
        import json, os, socket, sys, time

        with open(os.environ["PARAMS_FILE"]) as f:
            params = json.load(f)
        op = params.get("op")
        print("custom function runs", op)
        if op == "sum":
            result = {"sum": params["a"] + params["b"], "host": socket.gethostname()}
        elif op == "sleep":
            time.sleep(params["seconds"])
            result = {"slept": params["seconds"]}
        elif op == "fail":
            print("failing on purpose", file=sys.stderr)
            sys.exit(3)
        elif op == "net":
            probes = {}
            for host in params["hosts"]:
                try:
                    with socket.create_connection((host, params["port"]), timeout=2):
                        probes[host] = "connected"
                except OSError as error:
                    probes[host] = type(error).__name__
            result = {"interfaces": sorted(os.listdir("/sys/class/net")), "probes": probes}
        else:
            result = {"params": params}
        with open(os.environ["RESULT_FILE"], "w") as f:
            f.write(json.dumps(result))
        """;

    private CustomImage(string tag) => Tag = tag;

    public string Tag { get; }

    public static async Task<CustomImage> BuildAsync()
    {
        var tag = $"fleet-test-custom-{Guid.NewGuid():N}";
        var context = Directory.CreateTempSubdirectory("fleet-test-custom-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), Dockerfile);
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "executor.py"), Executor);
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "function.py"), Function);
            await DockerCli.RunAsync("build", "--network", "host", "-q", "-t", tag, context.FullName);
            return new CustomImage(tag);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    public async ValueTask DisposeAsync() => await DockerCli.TryAsync("rmi", "-f", Tag);
}
