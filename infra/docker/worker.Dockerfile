# Fleet worker: runs function instances (Python, Node.js, WebAssembly) under bubblewrap. HTTP only for health (8100).
# Build from the repository root:  docker build -f infra/docker/worker.Dockerfile -t fleet-worker .
# The container needs security options for bubblewrap (see infra/docker/README.md and docker-compose.yml).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Restore first, from the project files alone, so the package layer is reused until a reference or a version changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY contracts/Fleet.Contracts/Fleet.Contracts.csproj contracts/Fleet.Contracts/
COPY services/Fleet.Storage/Fleet.Storage.csproj services/Fleet.Storage/
COPY services/Fleet.ServiceDefaults/Fleet.ServiceDefaults.csproj services/Fleet.ServiceDefaults/
COPY services/Fleet.Wasm/Fleet.Wasm.csproj services/Fleet.Wasm/
COPY services/Fleet.WasmExecutor/Fleet.WasmExecutor.csproj services/Fleet.WasmExecutor/
COPY services/Fleet.Worker/Fleet.Worker.csproj services/Fleet.Worker/
RUN dotnet restore services/Fleet.Worker/Fleet.Worker.csproj
# .editorconfig is part of the build: code style is enforced and warnings are errors.
COPY .editorconfig ./
COPY contracts/Fleet.Contracts/ contracts/Fleet.Contracts/
COPY services/Fleet.Storage/ services/Fleet.Storage/
COPY services/Fleet.ServiceDefaults/ services/Fleet.ServiceDefaults/
COPY services/Fleet.Wasm/ services/Fleet.Wasm/
COPY services/Fleet.WasmExecutor/ services/Fleet.WasmExecutor/
COPY services/Fleet.Worker/ services/Fleet.Worker/
# The executors (Runtimes/Executors, the WebAssembly one built into wasm/) are published beside the assembly, where the
# worker looks for them.
RUN dotnet publish services/Fleet.Worker/Fleet.Worker.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# The .NET 10 aspnet images are Ubuntu 24.04 "noble" (Microsoft publishes no Debian images for .NET 10); pinned
# because the packages below are that release's. setpriv (util-linux) is already in the base image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-dill python3-msgpack nodejs bubblewrap \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -m 0755 /var/lib/fleet /var/lib/fleet/work
WORKDIR /app
COPY --from=build /app ./
# Urls wins over the image's ASPNETCORE_HTTP_PORTS anyway; clearing it saves a warning at every start.
ENV Urls="http://0.0.0.0:8100" \
    ASPNETCORE_HTTP_PORTS="" \
    Worker__PythonPath=/usr/bin/python3 \
    Worker__NodePath=/usr/bin/node \
    Worker__DataDirectory=/var/lib/fleet/work
EXPOSE 8100
# Stays root on purpose: as root the worker starts each instance through setpriv as uid 65534 (nobody) before
# bubblewrap, so function code never runs as the worker's own user. That needs /var/lib/fleet/work and /app to be
# traversable by others (0755, as created above). The work directory is deliberately no volume: a named volume
# would be shared by every replica of a scaled worker service.
# No curl or wget in the image: bash's /dev/tcp asks /health/ready (bus and store reachable).
# It probes the default port: change it together with Urls.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8100 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Fleet.Worker.dll"]
