#!/usr/bin/env bash
# The benchmark: tasklaned (release build, SQLite) against a static nginx on this machine, in one
# run. Seeds BENCH_USERS users, then measures GET /api/v1/users/me, POST /api/v1/auth/login, the
# two together (a login flood), the cost of one Argon2id hash, and whether a failed login takes
# the same time for an unknown email as for a wrong password. Prints a table and writes it to
# bench/results-latest.md. Knobs: BENCH_DURATION (s, default 10), BENCH_USERS (1000),
# BENCH_SKIP_BUILD=1. Traffic goes to 127.0.0.1 only; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10}
export BENCH_USERS=${BENCH_USERS:-1000}
export BENCH_PASSWORD="Bench-Passphrase-2026"
cores=$(nproc)

[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh release >/dev/null
server=build/release/server/tasklaned
work=$(mktemp -d /tmp/tasklane-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

wait_for() { # url
    for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "no answer from $1" >&2
    return 1
}

# --- start nginx and tasklaned ---------------------------------------------------------------
nginx_port=$(free_port)
sed -e "s|@PORT@|$nginx_port|" -e "s|@DIR@|$work|" bench/nginx.conf.in > "$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
pids+=($!)

# One key for both server runs below, so the tokens stay valid across the restart.
export TASKLANE_JWT_SECRET
TASKLANE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_server() { # log level
    server_port=$(free_port)
    "$server" serve --listen "127.0.0.1:$server_port" --data "$work/data" --log-level "$1" \
        >"$work/server.out" 2>>"$work/server.log" &
    server_pid=$!
    pids+=($server_pid)
    wait_for "http://127.0.0.1:$server_port/readyz"
}
start_server warning
wait_for "http://127.0.0.1:$nginx_port/"
base="http://127.0.0.1:$server_port"

# --- seed users and collect tokens ------------------------------------------------------------
echo "seeding $BENCH_USERS users..." >&2
seq 0 $((BENCH_USERS - 1)) | xargs -P 4 -I{} curl -fs -o /dev/null -X POST "$base/api/v1/auth/signup" \
    -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-{}@example.com\",\"password\":\"$BENCH_PASSWORD\",\"display_name\":\"Bench {}\"}"
export BENCH_TOKENS=$work/tokens.txt
for n in $(seq 0 49); do
    curl -fs -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"bench-$n@example.com\",\"password\":\"$BENCH_PASSWORD\"}" |
        sed -E 's/.*"access_token":"([^"]+)".*/\1/'
    echo
done > "$BENCH_TOKENS"
[ "$(grep -c '\.' "$BENCH_TOKENS")" -eq 50 ] || { echo "login for tokens failed" >&2; exit 1; }

# --- helpers to run wrk and read its figures -------------------------------------------------
to_ms() { # "2.21ms" | "850.00us" | "1.20s"
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}
parse() { # wrk output file -> "rps p50 p99 non2xx"
    local rps p50 p99 bad
    rps=$(awk '/Requests\/sec/ { print $2 }' "$1")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
    bad=$(awk '/Non-2xx/ { print $5 }' "$1")
    echo "${rps:-0} $p50 $p99 ${bad:-0}"
}
run_wrk() { # name threads connections url [script]
    local name=$1 threads=$2 conns=$3 url=$4 script=${5:-}
    echo "running $name (-t$threads -c$conns, ${duration}s)..." >&2
    wrk -t"$threads" -c"$conns" -d"${duration}s" --latency ${script:+-s "$script"} "$url" > "$work/$name.txt"
}

# --- the scenarios ----------------------------------------------------------------------------
load_before=$(cut -d" " -f1-3 /proc/loadavg)
hash_ms=$(cc -O2 -o "$work/hashtime" bench/hashtime.c -lsodium && "$work/hashtime")
run_wrk nginx 2 64 "http://127.0.0.1:$nginx_port/"
run_wrk me 2 64 "$base/api/v1/users/me" bench/me.lua
run_wrk login 2 16 "$base/api/v1/auth/login" bench/login.lua
# A login flood and, beside it, a steady light /users/me load whose latency is what we watch.
wrk -t1 -c32 -d"${duration}s" --latency -s bench/login.lua "$base/api/v1/auth/login" > "$work/flood-login.txt" &
flood=$!
run_wrk flood-me 1 8 "$base/api/v1/users/me" bench/me.lua
wait $flood
BENCH_LOGIN_MODE=wrong-password run_wrk login-wrong-password 1 2 "$base/api/v1/auth/login" bench/login.lua
BENCH_LOGIN_MODE=unknown-email run_wrk login-unknown-email 1 2 "$base/api/v1/auth/login" bench/login.lua
# The same /users/me load with the default request log (one JSON line per request) switched on.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
start_server info
base="http://127.0.0.1:$server_port"
run_wrk me-info-log 2 64 "$base/api/v1/users/me" bench/me.lua

# --- the table --------------------------------------------------------------------------------
read -r nginx_rps nginx_p50 nginx_p99 nginx_bad < <(parse "$work/nginx.txt")
login_target=$(awk -v c="$cores" -v h="$hash_ms" 'BEGIN { printf "%.1f", 0.8 * c / (h / 1000) }')
verdict() { awk "BEGIN { exit !($1) }" && echo pass || echo FAIL; }
{
    echo "| scenario | wrk | req/s | p50 ms | p99 ms | non-2xx | vs nginx | target | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---|---|"
    printf "| nginx \`return 200\` | -t2 -c64 | %.0f | %s | %s | %s | 100%% | baseline | |\n" \
        "$nginx_rps" "$nginx_p50" "$nginx_p99" "$nginx_bad"
    read -r rps p50 p99 bad < <(parse "$work/me.txt")
    ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
    printf "| GET /users/me | -t2 -c64 | %.0f | %s | %s | %s | %s%% | >= 35%% of nginx, p99 <= 10 ms | %s |\n" \
        "$rps" "$p50" "$p99" "$bad" "$ratio" "$(verdict "$ratio >= 35 && $p99 <= 10 && $bad == 0")"
    read -r rps p50 p99 bad < <(parse "$work/login.txt")
    ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", 100 * a / b }')
    printf "| POST /auth/login | -t2 -c16 | %.1f | %s | %s | %s | %s%% | >= %s/s (0.8 x %d cores / %s ms hash) | %s |\n" \
        "$rps" "$p50" "$p99" "$bad" "$ratio" "$login_target" "$cores" "$hash_ms" \
        "$(verdict "$rps >= $login_target && $bad == 0")"
    read -r rps p50 p99 bad < <(parse "$work/flood-login.txt")
    printf "| login flood (beside the next row) | -t1 -c32 | %.1f | %s | %s | %s | | | |\n" "$rps" "$p50" "$p99" "$bad"
    read -r rps p50 p99 bad < <(parse "$work/flood-me.txt")
    printf "| GET /users/me during the flood | -t1 -c8 | %.0f | %s | %s | %s | | p99 <= 20 ms | %s |\n" \
        "$rps" "$p50" "$p99" "$bad" "$(verdict "$p99 <= 20 && $bad == 0")"
    read -r rps p50 p99 bad < <(parse "$work/login-wrong-password.txt")
    wrong_p50=$p50
    printf "| failed login: wrong password | -t1 -c2 | %.1f | %s | %s | %s | | same time as unknown email | |\n" "$rps" "$p50" "$p99" "$bad"
    read -r rps p50 p99 bad < <(parse "$work/login-unknown-email.txt")
    printf "| failed login: unknown email | -t1 -c2 | %.1f | %s | %s | %s | | within 10%% of the row above | %s |\n" \
        "$rps" "$p50" "$p99" "$bad" "$(verdict "($p50 - $wrong_p50) <= 0.1 * $wrong_p50 && ($wrong_p50 - $p50) <= 0.1 * $wrong_p50")"
    read -r rps p50 p99 bad < <(parse "$work/me-info-log.txt")
    ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
    printf "| GET /users/me, request log on | -t2 -c64 | %.0f | %s | %s | %s | %s%% | (for reference) | |\n" \
        "$rps" "$p50" "$p99" "$bad" "$ratio"
    echo
    echo "Argon2id (m=19 MiB, t=2, p=1), one hash on one core: $hash_ms ms. Cores: $cores."
    echo "Commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load before: $load_before."
} > bench/results-latest.md
cat bench/results-latest.md
