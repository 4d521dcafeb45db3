#!/usr/bin/env bash
# The task benchmark: tasklaned (release build, default settings, request log on) on SQLite and
# on PostgreSQL, against a static nginx in the same run. Each database is seeded through the
# storage layer (tasklane-seed) with BENCH_TASK_USERS users of BENCH_TASKS_PER_USER tasks plus one
# user with BENCH_BIG_USER_TASKS tasks, then measured on:
#   GET /tasks/{id} (64 connections), GET /tasks sorted by due (first page, 64 connections),
#   search as the big user (16 connections), POST /tasks (64 connections; every task committed,
#   SQLite synchronous=FULL, PostgreSQL with its default durability, before it is acknowledged).
# Prints a table and writes it to bench/results-tasks-latest.md. Knobs: BENCH_DURATION,
# BENCH_TASK_USERS, BENCH_TASKS_PER_USER, BENCH_BIG_USER_TASKS, BENCH_DATABASES ("sqlite
# postgres"), BENCH_SCENARIOS ("get list search create": a subset while working; the table then
# has only those rows), BENCH_SKIP_BUILD, BENCH_KEEP_WORK (keep the scratch folder: server logs).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10}
users=${BENCH_TASK_USERS:-1000}
per_user=${BENCH_TASKS_PER_USER:-100}
big=${BENCH_BIG_USER_TASKS:-20000}
databases=${BENCH_DATABASES:-sqlite postgres}
scenarios=" ${BENCH_SCENARIOS:-get list search create} "
wants() { [[ $scenarios == *" $1 "* ]]; }
password="Bench-Passphrase-2026"
token_users=50

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/debian-packages.txt)" >&2; exit 1; }
done
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh release >/dev/null
server=build/release/server/tasklaned
seed=build/release/bench/tasklane-seed
for binary in "$server" "$seed"; do
    [ -x "$binary" ] || { echo "bench: $binary is missing (scripts/build.sh release)" >&2; exit 1; }
done
load_before=$(cut -d" " -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/tasklane-bench-tasks.XXXXXX)
chmod 755 "$work"
pids=()
pg_dir=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -z "$pg_dir" ] || scripts/pg-cluster.sh stop "$pg_dir"
    if [ "${BENCH_KEEP_WORK:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# shellcheck source=bench/lib.sh
. bench/lib.sh

nginx_port=$(free_port)
sed -e "s|@PORT@|$nginx_port|" -e "s|@DIR@|$work|" bench/nginx.conf.in > "$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
pids+=("$!")
wait_for "http://127.0.0.1:$nginx_port/"

export TASKLANE_JWT_SECRET
TASKLANE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

measure() { # label database-url
    local label=$1 url=$2
    echo "seeding $label: $users users x $per_user tasks + one user with $big..." >&2
    mkdir -p "$work/data-$label"
    "$seed" "$url" "$users" "$per_user" "$big" "$password" "$work/$label-users.txt"
    start_server "$label" "$url"
    # Tokens of the first users with some of their own task ids; the big user's apart.
    head -n "$token_users" "$work/$label-users.txt" | while read -r email ids; do
        echo "$(login "$email") $ids"
    done > "$work/$label-tokens.txt"
    echo "$(login bench-big@example.com)" > "$work/$label-big.txt"
    ! wants get || BENCH_SCENARIO=get BENCH_TOKENS=$work/$label-tokens.txt \
        run_wrk "$label-get" 2 64 "$base" bench/tasks.lua
    ! wants list || BENCH_SCENARIO=list BENCH_TOKENS=$work/$label-tokens.txt \
        run_wrk "$label-list" 2 64 "$base" bench/tasks.lua
    ! wants search || BENCH_SCENARIO=search BENCH_TOKENS=$work/$label-big.txt \
        run_wrk "$label-search" 1 16 "$base" bench/tasks.lua
    if wants create; then
        local before after
        before=$(curl -fsS "$base/readyz" >/dev/null && count_tasks "$url")
        BENCH_SCENARIO=create BENCH_TOKENS=$work/$label-tokens.txt \
            run_wrk "$label-create" 2 64 "$base" bench/tasks.lua
        after=$(count_tasks "$url")
        echo "$((after - before))" > "$work/$label-created.txt"
    fi
    # The server's own view, for the footer: its peak memory and threads, and how long its
    # request log says creates took (from the parsed request to the answer written; wrk's
    # figures add the time a request waited to be read).
    awk -v label="$label" '/^VmHWM/ { hwm = $2 } /^Threads/ { threads = $2 }
        END { printf "%s: peak RSS %.0f MiB, %d threads", label, hwm / 1024, threads }' \
        "/proc/$server_pid/status" >> "$work/server-notes.txt"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    python3 - "$work/server-$label.log" >> "$work/server-notes.txt" <<'PY'
import json, sys
times = []
for line in open(sys.argv[1], errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("method") == "POST" and entry.get("path", "").endswith("/api/v1/tasks"):
        times.append(entry["duration_ms"])
times.sort()
if times:
    at = lambda p: times[min(len(times) - 1, int(len(times) * p))]
    print(f"; POST /tasks in its request log: p50 {at(0.5):.2f} ms, p99 {at(0.99):.2f} ms.")
else:
    print(".")
PY
}

count_tasks() { # database URL: rows in tasks (what was committed)
    case "$1" in
    sqlite:*) python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from tasks').fetchone()[0])" "${1#sqlite:}" ;;
    *) PGPASSWORD=$TASKLANE_DB_PASSWORD psql -tA "${1/postgres:/postgresql:}" -c 'select count(*) from tasks' ;;
    esac
}

run_wrk nginx 2 64 "http://127.0.0.1:$nginx_port/"
run_on_databases
load_after=$(cut -d" " -f1-3 /proc/loadavg)

read -r nginx_rps _ < <(parse "$work/nginx.txt")
verdict() { awk "BEGIN { exit !($1) }" && echo pass || echo FAIL; }
row() { # label file target-text verdict-expression [rate override]
    local rps p50 p99 bad err
    read -r rps p50 p99 bad err < <(parse "$work/$2")
    [ -z "${5:-}" ] || rps=$5
    local ratio
    ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
    local result=""
    [ -z "$4" ] || result=$(verdict "$(echo "$4" | sed -e "s/RATIO/$ratio/g" -e "s/RPS/$rps/g" \
        -e "s/P99/$p99/g" -e "s/BAD/$bad/g" -e "s/ERR/$err/g")")
    [ "$err" = 0 ] || bad="$bad (+$err socket errors)"
    printf "| %s | %.0f | %s | %s | %s | %s%% | %s | %s |\n" "$1" "$rps" "$p50" "$p99" "$bad" "$ratio" "$3" "$result"
}
{
    echo "| scenario | req/s | p50 ms | p99 ms | non-2xx | vs nginx | target | result |"
    echo "|---|---:|---:|---:|---:|---:|---|---|"
    # shellcheck disable=SC2016 # backquotes are markdown
    row 'nginx `return 200` (-t2 -c64)' nginx.txt baseline ""
    for database in $databases; do
        ! wants get || row "$database: GET /tasks/{id} (-t2 -c64)" "$database-get.txt" ">= 35% of nginx, p99 <= 10 ms" \
            "RATIO >= 35 && P99 <= 10 && BAD == 0 && ERR == 0"
        ! wants list || row "$database: GET /tasks?sort=due, first page (-t2 -c64)" "$database-list.txt" ">= 20% of nginx" \
            "RATIO >= 20 && BAD == 0 && ERR == 0"
        ! wants search || row "$database: search as the $big-task user (-t1 -c16)" "$database-search.txt" "p99 <= 50 ms" \
            "P99 <= 50 && BAD == 0 && ERR == 0"
        wants create || continue
        created=$(cat "$work/$database-created.txt")
        rate=$(awk -v n="$created" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
        row "$database: POST /tasks, committed rows/s (-t2 -c64)" "$database-create.txt" ">= 5,000 tasks/s" \
            "RPS >= 5000 && BAD == 0 && ERR == 0" "$rate"
    done
    echo
    echo "tasklaned: release build, default settings (request log on). Seeded through the storage layer: $users users x $per_user tasks + one user with $big tasks, per database. ${duration} s per row; POST /tasks counts the rows committed during the run (every answer came after its commit)."
    echo "Server: $(paste -sd' ' "$work/server-notes.txt")"
    echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server common 2>/dev/null || echo ' (server sources modified)'), $(date -u '+%Y-%m-%d %H:%M UTC'). Cores: $(nproc). Load average before: $load_before; after: $load_after."
} > bench/results-tasks-latest.md
cat bench/results-tasks-latest.md
