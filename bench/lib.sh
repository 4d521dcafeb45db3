# Shared by bench/run.sh, bench/tasks.sh and bench/reminders.sh (sourced): ports, waiting for a
# server, running wrk and reading its figures. Expects $work (a scratch folder), $duration and the
# array pids.

# The servers run at the default settings but for the limits a load generator would hit at
# once: one client address signs up the seeded users, a few users send thousands of requests a
# second, and the failed-login measurement fails on purpose. The per-user limit stays on, set
# where no benchmark reaches it, so that its count is part of every measured request.
export TASKLANE_RATE_LIMIT_API=${TASKLANE_RATE_LIMIT_API:-100000000}
export TASKLANE_RATE_LIMIT_AUTH=${TASKLANE_RATE_LIMIT_AUTH:-0}
export TASKLANE_LOCKOUT_THRESHOLD=${TASKLANE_LOCKOUT_THRESHOLD:-0}

# Below the kernel's range of ephemeral ports: a port that wrk's or curl's closed connections
# still hold (TIME_WAIT) cannot be bound by a listener, which made a server restart fail now and
# then ("no answer from .../readyz").
read -r ephemeral_low _ < /proc/sys/net/ipv4/ip_local_port_range
[ "$ephemeral_low" -gt 11000 ] || ephemeral_low=60000
free_port() {
    local port
    while :; do
        port=$((10000 + RANDOM % (ephemeral_low - 10000)))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

wait_for() { # url
    for _ in $(seq 1 150); do curl -fs --max-time 1 -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "bench: no answer from $1" >&2
    return 1
}

# --- helpers to run wrk and read its figures -------------------------------------------------
to_ms() { # "2.21ms" | "850.00us" | "1.20s" | "1.50m"
    awk -v v="$1" 'BEGIN { n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /[0-9]s$/) n *= 1000; else if (v ~ /m$/) n *= 60000
        printf "%.2f", n }'
}
parse() { # wrk output file -> "rps p50 p99 non2xx errors"
    local rps p50 p99 bad errors
    rps=$(awk '/Requests\/sec/ { print $2 }' "$1")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
    bad=$(awk '/Non-2xx/ { print $5 }' "$1")
    # "Socket errors: connect 0, read 0, write 0, timeout 0"
    errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$1")
    echo "${rps:-0} $p50 $p99 ${bad:-0} ${errors:-0}"
}
run_wrk() { # name threads connections url [script]
    local name=$1 threads=$2 conns=$3 url=$4 script=${5:-}
    sleep 2 # let the previous scenario's queued work (logins already accepted) drain
    echo "running $name (-t$threads -c$conns, ${duration}s)..." >&2
    # In the background, so that a signal ends the run at once rather than after this scenario.
    timeout $((duration + 30)) wrk -t"$threads" -c"$conns" -d"${duration}s" --latency \
        ${script:+-s "$script"} "$url" > "$work/$name.txt" &
    pids+=("$!")
    wait "$!"
}

# --- tasklaned and the databases (bench/tasks.sh, bench/reminders.sh; they define measure and
# set server, password, databases and pg_dir) -------------------------------------------------
start_server() { # label database-url: tasklaned serving it, at $base
    server_port=$(free_port)
    "$server" serve --listen "127.0.0.1:$server_port" --data "$work/data-$1" --db "$2" \
        >"$work/server.out" 2>>"$work/server-$1.log" &
    server_pid=$!
    pids+=("$server_pid")
    wait_for "http://127.0.0.1:$server_port/readyz" || { tail -5 "$work/server-$1.log" >&2; return 1; }
    base="http://127.0.0.1:$server_port"
}

login() { # email -> access token
    curl -fsS --max-time 30 -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

run_on_databases() { # measure LABEL URL for each of $databases (PostgreSQL: a throwaway durable cluster)
    local database
    for database in $databases; do
        case "$database" in
        sqlite) measure sqlite "sqlite:$work/data-sqlite/tasklane.db" ;;
        postgres)
            pg_dir="$work/pg"
            eval "$(scripts/pg-cluster.sh start "$pg_dir" durable)"
            export TASKLANE_DB_PASSWORD=$TASKLANE_TEST_PG_PASSWORD
            PGPASSWORD=$TASKLANE_DB_PASSWORD psql -q "${TASKLANE_TEST_PG_ADMIN_URL/postgres:/postgresql:}" \
                -c 'CREATE DATABASE tasklane_bench'
            measure postgres "${TASKLANE_TEST_PG_ADMIN_URL%/postgres}/tasklane_bench"
            # A diagnosis: with TASKLANE_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements",
            # the statements that took the server's time, into the scratch folder.
            if [[ "${TASKLANE_PG_OPTIONS:-}" == *pg_stat_statements* ]]; then
                PGPASSWORD=$TASKLANE_DB_PASSWORD psql -q "${TASKLANE_TEST_PG_ADMIN_URL/postgres:/postgresql:}" \
                    -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' \
                    -c 'SELECT calls, round(total_exec_time) AS ms, rows, left(query, 150) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30' \
                    > "$work/pg-statements.txt" 2>&1 || true
            fi
            # Its own log too (checkpoints, autovacuum with TASKLANE_PG_OPTIONS="-c log_checkpoints=on
            # -c log_autovacuum_min_duration=0"), kept with BENCH_KEEP_WORK.
            cp "$pg_dir/server.log" "$work/pg-server.log" 2>/dev/null || true
            scripts/pg-cluster.sh stop "$pg_dir"
            pg_dir=""
            ;;
        esac
    done
}
