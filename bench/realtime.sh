#!/usr/bin/env bash
# The real-time benchmark (issue 10), with bench/wsload.cpp (tasklane-wsload) as the client:
#  1. idle: BENCH_IDLE (10,000) authenticated WebSockets on one process (10 per user), held;
#     the server's RSS growth per connection (VmRSS before and with them open).
#  2. sustained: BENCH_RATE (1,000) changes a second for BENCH_DURATION (20) s, from
#     BENCH_WRITERS (32) connections (each waits for its change's answer before its next), to a
#     task with BENCH_WATCHERS (100) connected watchers (who turned "changed" notifications off: 100
#     notifications and emails a change would be a different benchmark), while wrk reads that
#     task (GET /tasks/{id}, 16 connections, each waiting BENCH_READ_PACE_MS (10) ms after an
#     answer: up to 1,600 reads a second); the reads' p99, the changes made, the deliveries.
#     Then the same with the reads flat out (no wait): the server's CPU then goes to whoever
#     asks most, and the changes made show how the writer fares against a flood of reads.
#  3. fan-out: one task shared with BENCH_FANOUT_USERS (1,000) users, each connected; each of
#     BENCH_FANOUT_CHANGES (20) changes to it, one at a time, timed from the change's answer to
#     its event's arrival on every connection (the users' default notifications on).
# tasklaned: release build, default settings (request log on). Users seeded by tasklane-seed;
# their access tokens signed by the tool with the server's TASKLANE_JWT_SECRET.
# Knobs: BENCH_DATABASES ("sqlite postgres"), the above, BENCH_SKIP_BUILD.
# Writes bench/results-realtime-latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${BENCH_IDLE:-10000}
fan_users=${BENCH_FANOUT_USERS:-1000}
fan_changes=${BENCH_FANOUT_CHANGES:-20}
watchers=${BENCH_WATCHERS:-100}
rate=${BENCH_RATE:-1000}
# Changes to a task watched by 100 come from many of them. With 8 writers (this script before
# 2026-12-02) each made 125 changes a second, one at a time: the rate made then measured the
# answer's latency (8 / latency) as much as the server's capacity.
writers=${BENCH_WRITERS:-32}
duration=${BENCH_DURATION:-20}
read_pace=${BENCH_READ_PACE_MS:-10}
databases=${BENCH_DATABASES:-sqlite postgres}
users=1000
password="Bench-Passphrase-2026"
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh release >/dev/null
server=build/release/server/tasklaned
seed=build/release/bench/tasklane-seed
wsload=build/release/bench/tasklane-wsload
load_before=$(cut -d" " -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/tasklane-bench-realtime.XXXXXX)
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

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
wait_for_line() { # file pattern seconds
    for _ in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "bench: no '$2' in $1" >&2
    return 1
}

sustained() { # label pace-ms: $rate changes/s to a new shared task, wrk reading it meanwhile
    local label=$1 pace=$2 tool task token
    echo "$label: $rate changes/s to a task with $watchers watchers, reads paced at ${pace} ms..." >&2
    "$wsload" sustained "$server_port" "$watchers" "$rate" "$duration" "$work/$label-task.txt" \
        "$writers" > "$work/$label-sustained.txt" &
    tool=$!
    pids+=("$tool")
    wait_for_line "$work/$label-sustained.txt" '^writing' 120
    read -r task token < "$work/$label-task.txt"
    echo "$token $task" > "$work/$label-get-tokens.txt"
    BENCH_SCENARIO=get BENCH_PACE_MS=$pace BENCH_TOKENS=$work/$label-get-tokens.txt \
        timeout $(( duration + 20 )) wrk -t1 -c16 -d"$(( duration - 4 ))s" --latency -s bench/tasks.lua \
        "http://127.0.0.1:$server_port" > "$work/$label-get.txt"
    wait "$tool"
    sleep 2
}

measure() { # label database-url
    local label=$1 url=$2
    echo "seeding $label: $users users..." >&2
    mkdir -p "$work/data-$label"
    "$seed" "$url" "$users" 1 0 "$password" "$work/$label-users.txt" >/dev/null
    start_server "$label" "$url"

    echo "$label: $idle idle connections..." >&2
    sleep 2
    local before after per_user=$(( idle / users ))
    before=$(rss_kib "$server_pid")
    "$wsload" idle "$server_port" "$users" "$per_user" 20 > "$work/$label-idle.txt" &
    local tool=$!
    pids+=("$tool")
    wait_for_line "$work/$label-idle.txt" '^open' 180
    sleep 5
    after=$(rss_kib "$server_pid")
    wait "$tool"
    echo "$before $after" > "$work/$label-rss.txt"

    sustained "$label" "$read_pace"
    sustained "$label-flat" 0
    # Last: its changes notify 999 users each (20,000 emails), which would weigh on the rest.
    echo "$label: fan-out to $fan_users..." >&2
    "$wsload" fanout "$server_port" "$fan_users" "$fan_changes" > "$work/$label-fanout.txt"

    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
}

run_on_databases
load_after=$(cut -d" " -f1-3 /proc/loadavg)

field() { # file name -> the value after "name" in a wsload line
    awk -v k="$2" '{ for (i = 1; i < NF; ++i) if ($i == k) { print $(i + 1); exit } }' "$1"
}
verdict() { awk "BEGIN { exit !($1) }" && echo pass || echo FAIL; }
{
    echo "| database | idle WebSockets open | RSS growth per connection | fan-out to $fan_users: p50 / p99 / max | sustained: changes/s made | deliveries | delivery p50 / p99 | GET /tasks/{id} meanwhile: reads/s, p99 | reads flat out: changes/s made, reads/s, GET p99 | result |"
    echo "|---|---:|---:|---|---:|---:|---|---:|---:|---|"
    for database in $databases; do
        read -r open _ failed _ < <(grep '^open' "$work/$database-idle.txt" | cut -d' ' -f2-)
        read -r before after < "$work/$database-rss.txt"
        per=$(awk -v a="$after" -v b="$before" -v n="$open" 'BEGIN { printf "%.1f", (a - b) / n }')
        f=$work/$database-fanout.txt
        s=$work/$database-sustained.txt
        read -r get_rps get_p50 get_p99 get_bad get_err < <(parse "$work/$database-get.txt")
        read -r flat_rps _ flat_p99 _ _ < <(parse "$work/$database-flat-get.txt")
        made=$(field "$s" made_rate)
        result=$(verdict "$open == $idle && $per <= 32 && $(field "$f" p99_ms) <= 100 && $(field "$f" missing) == 0 && $get_p99 <= 20 && $get_bad == 0 && $get_err == 0 && $made >= 0.95 * $rate")
        printf "| %s | %s (%s refused) | %s KiB | %s / %s / %s ms (%s of %s delivered) | %s of %s | %s of %s | %s / %s ms | %.0f/s, %s ms (p50 %s) | %s, %.0f/s, %s ms | %s |\n" \
            "$database" "$open" "$failed" "$per" "$(field "$f" p50_ms)" "$(field "$f" p99_ms)" \
            "$(field "$f" max_ms)" "$(field "$f" deliveries)" "$(( fan_users * fan_changes ))" \
            "$made" "$rate" "$(field "$s" deliveries)" "$(awk '{ for (i = 1; i < NF; ++i) if ($i == "of") print $(i + 1) }' "$s" | head -1)" \
            "$(field "$s" p50_ms)" "$(field "$s" p99_ms)" "$get_rps" "$get_p99" "$get_p50" \
            "$(field "$work/$database-flat-sustained.txt" made_rate)" "$flat_rps" "$flat_p99" "$result"
    done
    echo
    echo "Targets: RSS growth <= 32 KiB per idle authenticated WebSocket ($idle on one process, 10 per user); one change to a task shared with $fan_users connected users delivered to all with p99 <= 100 ms from the change's acknowledgement ($fan_changes changes, one at a time); $rate changes/s to a task with $watchers watchers (from $writers connections, each waiting for its answer before its next change) with GET /tasks/{id} p99 <= 20 ms meanwhile (wrk -t1 -c16 reading that task, each connection waiting $read_pace ms after an answer). The column 'reads flat out' is the same run with wrk not waiting: it is reported, not judged."
    echo "tasklaned: release build, default settings (request log on, realtime_threads 2). Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server common 2>/dev/null || echo ' (server sources modified)'), $(date -u '+%Y-%m-%d %H:%M UTC'). Cores: $(nproc). Load average before: $load_before; after: $load_after."
} > bench/results-realtime-latest.md
cat bench/results-realtime-latest.md
