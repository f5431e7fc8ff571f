#!/usr/bin/env bash
# A throwaway PostgreSQL server for benchmarks and manual tests of the central record
# (the pytest fixture in tests/central/live.py starts its own the same way).
#   scripts/pg-test-server.sh start DIR [PORT]   -> prints the database URL
#   scripts/pg-test-server.sh stop DIR
# As root it runs the server as the `postgres` user (initdb refuses to run as root).
set -euo pipefail
cmd=${1:?usage: $0 start|stop DIR [PORT]}
dir=${2:?usage: $0 start|stop DIR [PORT]}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    [ -f "$dir/data/PG_VERSION" ] || "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >/dev/null
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
