#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL: its own data directory and port on 127.0.0.1,
# stopped and deleted afterwards whatever the command's outcome. The command sees
# SOAKGATE_TEST_DATABASE_URL.
#   bash ci/with-postgres.sh swift test
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] || { echo "ci/with-postgres.sh: no PostgreSQL server found; run: bash ci/install-deps.sh" >&2; exit 2; }

work=$(mktemp -d /tmp/soakgate-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$work"
  as_postgres=(runuser -u postgres --)
else
  as_postgres=()
fi

port=""
for _ in $(seq 1 50); do
  candidate=$(( 20000 + RANDOM % 20000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "ci/with-postgres.sh: found no free port" >&2; exit 2; }

# Run as postgres from a directory it can enter (the caller's may be private to root).
pg() { (cd "$work" && "${as_postgres[@]}" "$@"); }

stop() {
  pg "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT

pg "$pg_bin/initdb" -D "$work/data" -A trust -U postgres >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 2; }
pg "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
  || { cat "$work/server.log" >&2; exit 2; }
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $work, removed afterwards)"

export SOAKGATE_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
"$@"
