#!/usr/bin/env bash
# Runs every test of the solution: unit, integration (SQLite files and a real PostgreSQL server) and browser tests.
# A throwaway PostgreSQL cluster is started for the run when the server binaries are installed, and stopped after.
# Prints its own "N passed, N failed" line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

# The territory, map and import tests read the publishers' real geodata, never committed: ../shared/data next to the
# checkout (as in development and CI), or the folder PASSERELLE_SHARED_DATA names. Say so now rather than in 100 failures.
shared=""
if [ -n "${PASSERELLE_SHARED_DATA:-}" ]; then
  shared="$PASSERELLE_SHARED_DATA"
else
  dir=$(pwd)
  while [ "$dir" != "/" ]; do
    if [ -d "$dir/shared/data" ]; then shared="$dir/shared/data"; break; fi
    dir=$(dirname "$dir")
  done
fi
if [ -z "$shared" ] || [ ! -f "$shared/nuts/NUTS_RG_10M_2021_4326.geojson" ]; then
  echo "error: the publishers' geodata was not found (no shared/data folder above $(pwd), PASSERELLE_SHARED_DATA not set): set PASSERELLE_SHARED_DATA to the folder holding nuts/ and municipalities/ (see README, Territories)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export PASSERELLE_SHARED_DATA="$shared"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${PASSERELLE_TEST_POSTGRES:-}" ] && [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  port=${PASSERELLE_TEST_PG_PORT:-55432}
  pg_dir=$(mktemp -d /tmp/passerelle-pg.XXXXXX)
  chmod 755 "$pg_dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$pg_dir"; run_pg=(runuser -u postgres --); else run_pg=(); fi
  "${run_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  if ! "${run_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log.txt" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
    cat "$pg_dir/log.txt" >&2
    echo "PostgreSQL could not start on 127.0.0.1:$port (is another run using it? set PASSERELLE_TEST_PG_PORT)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  export PASSERELLE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') started for the tests on 127.0.0.1:$port"
fi

# Release, as the server runs it: the code under test is the optimised build, and CI's scale smoke (.ci/run), which
# needs the Release build, then finds it built instead of compiling the solution a second time (about 2 minutes on
# 2 cores). PASSERELLE_TEST_CONFIGURATION=Debug tests the Debug build.
# With arguments (a --filter-class, say), a test project none of whose tests match is not a failure (exit code 8,
# "zero tests ran"); the whole run never ignores it.
filtered=()
if [ $# -gt 0 ]; then filtered=(--ignore-exit-code 8); fi
# The test processes (and the executables they start) outnumber the cores: their thread pools' spinning before a
# worker sleeps, and the JIT's profile-guided instrumentation of code that runs for seconds, cost CPU the other tests
# need. Two full runs on a quiet machine in one session, with both off and without: Web tests 18 min 40 s against
# 20 min 43 s, Core tests 61 s against 94 s (docs/benchmarks.md, 1 December 2026). Behaviour is the same either way.
export DOTNET_TieredPGO="${DOTNET_TieredPGO:-0}"
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit="${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit:-0}"
log=$(mktemp /tmp/passerelle-test.XXXXXX.log)
dotnet test Passerelle.slnx -c "${PASSERELLE_TEST_CONFIGURATION:-Release}" "$@" "${filtered[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints one summary per test project; add them up.
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "error: no test ran (does the filter name a test?)" >&2
  failed=1
  status=8
fi
# A failing run ends with the test processes' whole output (every fixture's log), which pushes the failures themselves
# out of a CI log's tail: name them again here, each with its message (up to its stack trace), just before the count.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  awk '/^failed / { n = 12; print; next }
       n > 0 && /^ *at / { n = 0 }
       n > 0 { print; n-- }' "$log" | head -n 200
fi
echo "$passed passed, $failed failed, $skipped skipped"
rm -f "$log"
exit "$status"
