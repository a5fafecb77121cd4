#!/usr/bin/env bash
# Peak memory of the standalone for results at the size limit against tiny ones: for each size, a fresh standalone
# (Release build) runs CALLS sync calls, CONCURRENCY at a time, of a function returning a string of that many bytes
# of JSON text, then prints its peak resident memory (VmHWM) and what it still holds after GC has had 10 s idle.
#
#   bench/result-memory.sh [--calls 40] [--concurrency 8] [--bytes 6291456]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/local/lib.sh"

calls=40 concurrency=8 bytes=$((6 << 20))
while (($#)); do
  case $1 in
    --calls) calls=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --bytes) bytes=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) fleet_die "unknown option $1 (try --help)" ;;
  esac
done

fleet_install_packages "${FLEET_PACKAGES[@]}" curl
dotnet build "$FLEET_ROOT/services/Fleet.Standalone/Fleet.Standalone.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
dir=$FLEET_DIR/bench/result-memory
port=28080
run() { # $1 = label, $2 = characters in the returned string (its JSON text is 2 bytes longer)
  rm -rf "$dir" && mkdir -p "$dir"
  Urls=http://127.0.0.1:$port Facades__Serverledge__Urls= Facades__Faasm__Urls= Store__ConnectionString="Data Source=$dir/fleet.db" Worker__DataDirectory="$dir/work" \
    dotnet "$FLEET_ROOT/services/Fleet.Standalone/bin/Release/net10.0/Fleet.Standalone.dll" > "$dir/standalone.log" 2>&1 &
  local pid=$!
  fleet_wait_http "http://127.0.0.1:$port/health/ready" 60 || fleet_die "the standalone did not start; see $dir/standalone.log"
  printf 'def work(params, context):\n    return "x" * int(params["n"])\n' > "$dir/sized.py"
  tar cf "$dir/sized.tar" -C "$dir" sized.py
  curl -sf "127.0.0.1:$port/create" -d "{\"Name\":\"sized\",\"Runtime\":\"python310\",\"MemoryMB\":256,\"Handler\":\"sized.work\",\"TarFunctionCode\":\"$(base64 -w0 "$dir/sized.tar")\"}" > /dev/null
  local baseline; baseline=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  local codes; codes=$(seq "$calls" | xargs -P "$concurrency" -I{} \
    curl -s -o /dev/null -w '%{http_code}\n' "127.0.0.1:$port/invoke/sized" -d "{\"Params\":{\"n\":\"$2\"}}" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  sleep 10
  local idle; idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  printf '%-8s %9d-byte results: before %4d MB, peak %4d MB, idle after %4d MB; HTTP status counts: %s\n' \
    "$1" "$(($2 + 2))" $((baseline / 1024)) $((peak / 1024)) $((idle / 1024)) "$codes"
}
echo "$calls sync calls, $concurrency at a time, each through a fresh standalone:"
run tiny 8
run maximal $((bytes - 2))
