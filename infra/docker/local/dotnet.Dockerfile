# fleet-local/dotnet-aspnet and fleet-local/dotnet-sdk: stand-ins for mcr.microsoft.com/dotnet/aspnet and .../sdk where
# no registry is reachable, built by infra/docker/local-images.sh from a Debian base and this machine's own .NET
# (the build context is a copy of its dotnet folder). Targets: aspnet (host, runtimes) and sdk (all of it).
ARG BASE_IMAGE=fleet-local/debian:bookworm
FROM ${BASE_IMAGE} AS aspnet
# The official images' runtime dependencies, their `app` user and their variables.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libc6 libgcc-s1 libicu72 libssl3 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /bin/false app
COPY dotnet /usr/share/dotnet/dotnet
COPY host /usr/share/dotnet/host
COPY shared /usr/share/dotnet/shared
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true

FROM aspnet AS sdk
# This machine's setting for NuGet's certificate revocation checks ("offline" where no revocation list is reachable).
ARG NUGET_CERT_REVOCATION_MODE=online
COPY dnx LICENSE.txt ThirdPartyNotices.txt /usr/share/dotnet/
COPY packs /usr/share/dotnet/packs
COPY sdk /usr/share/dotnet/sdk
COPY sdk-manifests /usr/share/dotnet/sdk-manifests
COPY templates /usr/share/dotnet/templates
ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
    DOTNET_NOLOGO=true \
    DOTNET_CLI_TELEMETRY_OPTOUT=true \
    NUGET_XMLDOC_MODE=skip \
    NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE}
