#!/usr/bin/env bash
# scripts/pg-cluster.sh start DIR [durable] | stop DIR
# A throwaway PostgreSQL cluster for the tests: initdb into DIR, a free loopback port, run as a
# non-root user (the postgres system account when we are root), password authentication.
# `start` prints the lines to eval: TASKLANE_TEST_PG_ADMIN_URL=... and TASKLANE_TEST_PG_PASSWORD=...
# With `durable`, PostgreSQL keeps its default durability (fsync, synchronous_commit and
# full_page_writes on), for benchmarks that must pay for what production pays.
set -euo pipefail
action=${1:?usage: pg-cluster.sh start|stop DIR [durable]}
dir=${2:?usage: pg-cluster.sh start|stop DIR [durable]}
mode=${3:-}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" > "$dir/.pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/.pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U tasklane --pwfile="$dir/.pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    rm -f "$dir/.pwfile"
    port=$(free_port)
    # fsync off: a throwaway cluster needs no durability, and the suite runs much faster.
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "$mode" = durable ] && durability=""
    # TASKLANE_PG_OPTIONS: more server settings, for a diagnosis (e.g. "-c
    # shared_preload_libraries=pg_stat_statements").
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $durability -c max_connections=300 ${TASKLANE_PG_OPTIONS:-}" \
        start >/dev/null
    echo "TASKLANE_TEST_PG_ADMIN_URL=postgres://tasklane@127.0.0.1:$port/postgres"
    echo "TASKLANE_TEST_PG_PASSWORD=$password"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
esac
