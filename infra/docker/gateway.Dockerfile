# Fleet gateway: the HTTP API (8080) and the Serverledge-compatible API (1323).
# Build from the repository root:  docker build -f infra/docker/gateway.Dockerfile -t fleet-gateway .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Restore first, from the project files alone, so the package layer is reused until a reference or a version changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY contracts/Fleet.Contracts/Fleet.Contracts.csproj contracts/Fleet.Contracts/
COPY services/Fleet.Storage/Fleet.Storage.csproj services/Fleet.Storage/
COPY services/Fleet.ServiceDefaults/Fleet.ServiceDefaults.csproj services/Fleet.ServiceDefaults/
COPY services/Fleet.Placement/Fleet.Placement.csproj services/Fleet.Placement/
COPY services/Fleet.Wasm/Fleet.Wasm.csproj services/Fleet.Wasm/
COPY services/Fleet.Core/Fleet.Core.csproj services/Fleet.Core/
COPY services/Fleet.Gateway/Fleet.Gateway.csproj services/Fleet.Gateway/
RUN dotnet restore services/Fleet.Gateway/Fleet.Gateway.csproj
# .editorconfig is part of the build: code style is enforced and warnings are errors.
COPY .editorconfig ./
COPY contracts/Fleet.Contracts/ contracts/Fleet.Contracts/
COPY services/Fleet.Storage/ services/Fleet.Storage/
COPY services/Fleet.ServiceDefaults/ services/Fleet.ServiceDefaults/
COPY services/Fleet.Placement/ services/Fleet.Placement/
COPY services/Fleet.Wasm/ services/Fleet.Wasm/
COPY services/Fleet.Core/ services/Fleet.Core/
COPY services/Fleet.Gateway/ services/Fleet.Gateway/
RUN dotnet publish services/Fleet.Gateway/Fleet.Gateway.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# The .NET 10 aspnet images are Ubuntu 24.04 "noble" (Microsoft publishes no Debian images for .NET 10); pinned so a
# change of the default distro does not slip in unnoticed.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app ./
# Urls wins over the image's ASPNETCORE_HTTP_PORTS anyway; clearing it saves a warning at every start.
ENV Urls="http://0.0.0.0:8080;http://0.0.0.0:1323" \
    ASPNETCORE_HTTP_PORTS=""
EXPOSE 8080 1323
# The image's unprivileged "app" user: the gateway writes no files.
USER $APP_UID
# No curl or wget in the image: bash's /dev/tcp asks /health/ready (bus and store reachable).
# It probes the default port: change it together with Urls.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Fleet.Gateway.dll"]
