#!/usr/bin/env bash
# Stand-ins for the upstream base images, for Docker engines that reach no registry (this project's CI machines).
# Builds, from Debian packages and this machine's own .NET, each named after what it really runs:
#   fleet-local/debian:bookworm          debootstrap --variant=minbase, then docker import   (for debian:bookworm-slim)
#   fleet-local/dotnet-aspnet:<runtime>  that base + this machine's .NET runtimes            (mcr.microsoft.com/dotnet/aspnet)
#   fleet-local/dotnet-sdk:<sdk>         the same + this machine's SDK                       (mcr.microsoft.com/dotnet/sdk)
#   fleet-local/rabbitmq:<v>-management  Debian's rabbitmq-server + management plugin        (rabbitmq:*-management)
#   fleet-local/postgres:<v>             Debian's postgresql-15                              (postgres:15)
# and writes .fleet/docker/local-images.env, the variables that select them (docker-compose.yml's build arguments and
# images, the tests' Testcontainers images). Images that exist are kept; --rebuild makes them again.
# Nothing a user runs depends on these: docker-compose.yml defaults to the official images.
#   infra/docker/local-images.sh [--rebuild]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rebuild=0
case ${1:-} in
  --rebuild) rebuild=1 ;;
  '') ;;
  *) fleet_die "unknown option $1 (infra/docker/local-images.sh [--rebuild])" ;;
esac
fleet_docker_start || fleet_die "no Docker engine"
here=$FLEET_ROOT/infra/docker/local
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(basename "$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/*/ | sort -V | tail -n 1)")
sdk=$(dotnet --version)
mkdir -p "$FLEET_DOCKER_DIR"

exists() { ((!rebuild)) && docker image inspect "$1" > /dev/null 2>&1; }
# Builds reach Debian's mirror and NuGet through the host: with --iptables=false the engine's bridges have no NAT.
build() {
  docker build --network host "$@" > "$FLEET_DOCKER_DIR/build.log" 2>&1 || { tail -n 30 "$FLEET_DOCKER_DIR/build.log" >&2; return 1; }
}

base=fleet-local/debian:bookworm
if ! exists "$base"; then
  fleet_log "building $base (debootstrap)"
  fleet_install_packages debootstrap
  rootfs=$FLEET_DOCKER_DIR/rootfs-bookworm
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$FLEET_DOCKER_DIR/debootstrap.log"
  cat > "$rootfs/etc/apt/sources.list" << 'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  # This machine's own certificate authorities (an egress proxy's, say), which the images' ca-certificates package
  # adds to their trust store when it is installed: builds that restore from NuGet need them here.
  install -d "$rootfs/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2> /dev/null || true
  # As the official slim images: no package lists or caches, no man pages or docs, no recommended packages.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$rootfs/etc/apt/apt.conf.d/90fleet-local"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/{doc,man,info}/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$base" > /dev/null
  docker tag "$base" "fleet-local/debian:$(cat "$rootfs/etc/debian_version")"
  rm -rf "$rootfs"
fi

aspnet=fleet-local/dotnet-aspnet:$runtime
if ! exists "$aspnet"; then
  fleet_log "building $aspnet (from $dotnet_root)"
  build -f "$here/dotnet.Dockerfile" --target aspnet -t "$aspnet" "$dotnet_root"
fi
sdk_image=fleet-local/dotnet-sdk:$sdk
if ! exists "$sdk_image"; then
  fleet_log "building $sdk_image (from $dotnet_root)"
  build -f "$here/dotnet.Dockerfile" --target sdk -t "$sdk_image" \
    --build-arg NUGET_CERT_REVOCATION_MODE="${NUGET_CERT_REVOCATION_MODE:-online}" "$dotnet_root"
fi

# The server images carry the version of the package they got: built under a working name, then tagged.
server_image() { # <name> <package> <tag suffix> <dockerfile>
  local name=$1 package=$2 suffix=$3 dockerfile=$4 existing version
  existing=$(docker images --format '{{.Repository}}:{{.Tag}}' "fleet-local/$name" | grep -v ':build$' | head -n 1 || true)
  if [[ -n $existing ]] && ((!rebuild)); then
    echo "$existing"
    return
  fi
  fleet_log "building fleet-local/$name (Debian's $package)"
  build -f "$here/$dockerfile" -t "fleet-local/$name:build" "$here"
  version=$(docker run --rm --entrypoint dpkg-query "fleet-local/$name:build" -W -f '${Version}' "$package")
  version=${version%%-*}
  docker tag "fleet-local/$name:build" "fleet-local/$name:$version$suffix"
  docker rmi "fleet-local/$name:build" > /dev/null
  echo "fleet-local/$name:$version$suffix"
}
rabbitmq=$(server_image rabbitmq rabbitmq-server -management rabbitmq.Dockerfile)
postgres=$(server_image postgres postgresql-15 "" postgres.Dockerfile)

cat > "$FLEET_DOCKER_DIR/local-images.env" << EOF
FLEET_DEBIAN_IMAGE=$base
FLEET_DOTNET_SDK_IMAGE=$sdk_image
FLEET_DOTNET_ASPNET_IMAGE=$aspnet
FLEET_RABBITMQ_IMAGE=$rabbitmq
FLEET_POSTGRES_IMAGE=$postgres
EOF
fleet_log "stand-ins ready (.fleet/docker/local-images.env):"
docker images --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' 'fleet-local/*' >&2
