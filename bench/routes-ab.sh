#!/usr/bin/env bash
# Warm latency of routes on a scale benchmark's database, one build at a time, so that builds can be alternated on the
# same data (docs/benchmarks.md). Starts the published host on the SQLite database and index `bench scale` left in
# <work> (port 5111), waits until its start-up work is done (the host's CPU idle for 20 s: a new build computes the
# registry's kept values first), then runs `Passerelle.Bench http` twice over the routes, and stops the host.
#
# usage: bench/routes-ab.sh <work dir of bench scale> <published host dir> <label> route...
#   e.g. bench/routes-ab.sh /work/s2m /tmp/host-main main /en/organisations/synthetic-organisation-0720930
# The host's log goes to /tmp/routes-ab-<label>.log. Build the benchmark first (dotnet build -c Release bench/Passerelle.Bench).
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "error: usage: bench/routes-ab.sh <work dir> <published host dir> <label> route..." >&2
  exit 2
fi
work=$(realpath "$1"); host=$(realpath "$2"); label=$3; shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/bench/Passerelle.Bench/bin/Release/net10.0/Passerelle.Bench.dll"
[ -f "$work/passerelle.db" ] || { echo "error: no passerelle.db in $work (run bench scale there first)" >&2; exit 2; }
[ -f "$host/Passerelle.Web.dll" ] || { echo "error: no Passerelle.Web.dll in $host (dotnet publish src/Passerelle.Web -o DIR)" >&2; exit 2; }
[ -f "$bench" ] || { echo "error: $bench not built" >&2; exit 2; }

env Database__Provider=Sqlite "ConnectionStrings__Passerelle=Data Source=$work/passerelle.db" \
  Search__IndexPath="$work/index-sqlite" Exports__FilesPath="$work/exports-sqlite" RateLimits__ApiPerMinute=1000000 \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet "$host/Passerelle.Web.dll" --urls http://127.0.0.1:5111 --contentRoot "$root/src/Passerelle.Web" \
  > "/tmp/routes-ab-$label.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fs -o /dev/null http://127.0.0.1:5111/readyz; do
  kill -0 $pid 2>/dev/null || { echo "error: the host stopped; see /tmp/routes-ab-$label.log" >&2; exit 1; }
  sleep 2
done
# Idle: under a quarter of a core (25 clock ticks of 100 per second) in each 5 s, for 20 s in a row.
idle=0; prev=$(awk '{print $14+$15}' /proc/$pid/stat)
while [ $idle -lt 20 ]; do
  sleep 5
  cur=$(awk '{print $14+$15}' /proc/$pid/stat)
  if [ $((cur - prev)) -lt 25 ]; then idle=$((idle + 5)); else idle=0; fi
  prev=$cur
done
echo "== $label $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in 1 2; do dotnet "$bench" http http://127.0.0.1:5111 30 "$@"; done
