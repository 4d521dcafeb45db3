#!/usr/bin/env bash
# The reminder benchmark (issue 9): BENCH_REMINDERS (10,000) tasks, each with a reminder at one
# and the same instant T, created through the API ahead of it; then, while they fall due, wrk
# reads tasks (GET /tasks/{id}, 64 connections) from T-5 s to T+25 s. Measures when each email
# reached the outbox folder (file times against T) and the readers' p99. Then the cost of the
# reminder's job on POST /tasks: wrk creating tasks without and with a reminder, in the same
# run. tasklaned: release build, default settings (request log on, job_threads 4, outbox mail).
# Seeded through the storage layer like bench/tasks.sh (BENCH_TASK_USERS x BENCH_TASKS_PER_USER).
# Knobs: BENCH_DATABASES ("sqlite postgres"), BENCH_REMINDERS, BENCH_DURATION (POST rows, 10),
# BENCH_SKIP_BUILD. Writes bench/results-reminders-latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10}
reminders=${BENCH_REMINDERS:-10000}
users=${BENCH_TASK_USERS:-1000}
per_user=${BENCH_TASKS_PER_USER:-100}
databases=${BENCH_DATABASES:-sqlite postgres}
password="Bench-Passphrase-2026"
token_users=50
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh release >/dev/null
server=build/release/server/tasklaned
seed=build/release/bench/tasklane-seed
load_before=$(cut -d" " -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/tasklane-bench-reminders.XXXXXX)
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
export TASKLANE_JWT_SECRET
TASKLANE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

measure() { # label database-url
    local label=$1 url=$2
    echo "seeding $label: $users users x $per_user tasks..." >&2
    mkdir -p "$work/data-$label"
    "$seed" "$url" "$users" "$per_user" 0 "$password" "$work/$label-users.txt" >/dev/null
    start_server "$label" "$url"
    head -n "$token_users" "$work/$label-users.txt" | while read -r email ids; do
        echo "$(login "$email") $ids"
    done > "$work/$label-tokens.txt"

    # The burst: T far enough ahead for every task to be made first.
    local now_s at_s at
    now_s=$(date +%s)
    at_s=$(( now_s + 30 + reminders / 500 ))
    at=$(date -u -d "@$at_s" +%Y-%m-%dT%H:%M:%S.000Z)
    echo "creating $reminders tasks with a reminder at $at..." >&2
    python3 bench/reminderload.py "$base" "$work/$label-tokens.txt" "$reminders" "$at" \
        > "$work/$label-load.txt"
    read -r made refused took < "$work/$label-load.txt"
    echo "made $made tasks ($refused refused) in $took s" >&2
    [ "$(date +%s)" -lt "$at_s" ] || echo "bench: the tasks took longer than planned; T has passed" >&2
    local wait_s=$(( at_s - 5 - $(date +%s) ))
    [ "$wait_s" -le 0 ] || sleep "$wait_s"
    echo "reading tasks while the reminders fall due..." >&2
    BENCH_SCENARIO=get BENCH_TOKENS=$work/$label-tokens.txt timeout 60 \
        wrk -t2 -c64 -d30s --latency -s bench/tasks.lua "$base" > "$work/$label-get.txt"
    sleep 5
    python3 - "$work/data-$label/outbox" "$at_s" "$reminders" > "$work/$label-delivery.txt" <<'PY'
import os, sys
folder, at, expected = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
times = sorted(os.stat(os.path.join(folder, f)).st_mtime_ns / 1e9 - at
               for f in os.listdir(folder) if f.endswith(".eml"))
def q(p): return times[min(len(times) - 1, int(p * len(times)))] if times else float("nan")
within = sum(1 for t in times if t <= 10)
print("%d %d %.2f %.2f %.2f %d" % (len(times), expected, q(0.5), q(0.99), times[-1] if times else float("nan"), within))
PY

    # The reminder's cost on POST /tasks: the same body without and with a reminder.
    BENCH_SCENARIO=create BENCH_TOKENS=$work/$label-tokens.txt \
        run_wrk "$label-create-plain" 2 64 "$base" bench/tasks.lua
    BENCH_SCENARIO=create-reminder BENCH_TOKENS=$work/$label-tokens.txt \
        run_wrk "$label-create-reminder" 2 64 "$base" bench/tasks.lua
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
}

run_on_databases
load_after=$(cut -d" " -f1-3 /proc/loadavg)

verdict() { awk "BEGIN { exit !($1) }" && echo pass || echo FAIL; }
{
    echo "| database | reminders delivered | within 10 s | p50 / p99 / last after T | GET /tasks/{id} p99 meanwhile | POST /tasks plain | POST /tasks with a reminder | result |"
    echo "|---|---:|---:|---|---:|---:|---:|---|"
    for database in $databases; do
        read -r delivered expected p50 p99 last within < "$work/$database-delivery.txt"
        read -r _ get_p50 get_p99 get_bad get_err < <(parse "$work/$database-get.txt")
        read -r plain _ < <(parse "$work/$database-create-plain.txt")
        read -r withr _ < <(parse "$work/$database-create-reminder.txt")
        ratio=$(awk -v a="$withr" -v b="$plain" 'BEGIN { printf "%.0f", 100 * a / b }')
        result=$(verdict "$delivered == $expected && $within == $expected && $get_p99 <= 20 && $get_bad == 0 && $get_err == 0")
        printf "| %s | %s of %s | %s | %s / %s / %s s | %s ms (p50 %s) | %.0f/s | %.0f/s (%s%%) | %s |\n" \
            "$database" "$delivered" "$expected" "$within" "$p50" "$p99" "$last" "$get_p99" "$get_p50" \
            "$plain" "$withr" "$ratio" "$result"
    done
    echo
    echo "Target: every reminder's email in the outbox within 10 s of its time, GET /tasks/{id} p99 <= 20 ms meanwhile (wrk -t2 -c64 from T-5 s to T+25 s). POST rows: wrk -t2 -c64 for ${duration} s, answers per second (each after its commit); one reminder per task."
    echo "tasklaned: release build, default settings (request log on, job_threads 4). Seeded: $users users x $per_user tasks per database. Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server common 2>/dev/null || echo ' (server sources modified)'), $(date -u '+%Y-%m-%d %H:%M UTC'). Cores: $(nproc). Load average before: $load_before; after: $load_after."
} > bench/results-reminders-latest.md
cat bench/results-reminders-latest.md
