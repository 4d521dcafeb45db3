#!/usr/bin/env bash
# The benchmark: tasklaned (release build, SQLite) against a static nginx on this machine, in one
# run. Seeds BENCH_USERS users, then measures GET /api/v1/users/me, POST /api/v1/auth/login, the
# two together (a login flood), the cost of one Argon2id hash, and whether a failed login takes
# the same time for an unknown email as for a wrong password. Prints a table and writes it to
# bench/results-latest.md. Knobs (see bench/README.md): BENCH_DURATION, BENCH_USERS,
# BENCH_SKIP_BUILD, BENCH_LOGIN_CONNS, BENCH_FLOOD_LOGIN_CONNS, BENCH_FLOOD_ME_CONNS.
# Traffic goes to 127.0.0.1 only; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10}
login_conns=${BENCH_LOGIN_CONNS:-16}
flood_login_conns=${BENCH_FLOOD_LOGIN_CONNS:-16}
flood_me_conns=${BENCH_FLOOD_ME_CONNS:-64}
export BENCH_USERS=${BENCH_USERS:-1000}
export BENCH_PASSWORD="Bench-Passphrase-2026"
cores=$(nproc)
token_users=50

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/debian-packages.txt)" >&2; exit 1; }
done

load_before=$(cut -d" " -f1-3 /proc/loadavg)

[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh release >/dev/null
server=build/release/server/tasklaned
hashtime=build/release/bench/tasklane-hashtime
for binary in "$server" "$hashtime"; do
    [ -x "$binary" ] || { echo "bench: $binary is missing (scripts/build.sh release)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/tasklane-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# shellcheck source=bench/lib.sh
. bench/lib.sh

# The machine is shared: top samples every 2 s what else uses the CPU while the benchmark runs.
top -b -d 2 -w 200 > "$work/top.txt" &
pids+=("$!")

# --- start nginx and tasklaned ---------------------------------------------------------------
nginx_port=$(free_port)
sed -e "s|@PORT@|$nginx_port|" -e "s|@DIR@|$work|" bench/nginx.conf.in > "$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
pids+=("$!")

# One key for both server runs below, so the tokens stay valid across the restart.
export TASKLANE_JWT_SECRET
TASKLANE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_server() { # extra arguments (none: the default settings, request log on)...
    server_port=$(free_port)
    "$server" serve --listen "127.0.0.1:$server_port" --data "$work/data" "$@" \
        >"$work/server.out" 2>>"$work/server.log" &
    server_pid=$!
    pids+=("$server_pid")
    wait_for "http://127.0.0.1:$server_port/readyz" || { tail -5 "$work/server.log" >&2; return 1; }
    base="http://127.0.0.1:$server_port"
}
stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
}
start_server
wait_for "http://127.0.0.1:$nginx_port/"

# --- seed users and collect tokens ------------------------------------------------------------
echo "seeding $BENCH_USERS users..." >&2
seq 0 $((BENCH_USERS - 1)) | xargs -P 4 -I{} curl -fsS --max-time 30 -o /dev/null \
    -X POST "$base/api/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-{}@example.com\",\"password\":\"$BENCH_PASSWORD\",\"display_name\":\"Bench {}\"}"
export BENCH_TOKENS=$work/tokens.txt
for n in $(seq 0 $((token_users - 1))); do
    curl -fsS --max-time 30 -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"bench-$n@example.com\",\"password\":\"$BENCH_PASSWORD\"}" |
        sed -E 's/.*"access_token":"([^"]+)".*/\1/'
    echo
done > "$BENCH_TOKENS"
[ "$(grep -c '\.' "$BENCH_TOKENS")" -eq "$token_users" ] || { echo "bench: login for tokens failed" >&2; exit 1; }

# --- the scenarios ----------------------------------------------------------------------------
run_wrk nginx 2 64 "http://127.0.0.1:$nginx_port/"
run_wrk me 2 64 "$base/api/v1/users/me" bench/me.lua
# The same with the request log off (warnings and errors only), right after, for the log's cost.
stop_server
start_server --log-level warning
run_wrk me-log-off 2 64 "$base/api/v1/users/me" bench/me.lua
stop_server
start_server
# For reference: the same server's cheapest route (no token, no database), the framework's ceiling.
run_wrk healthz 2 64 "$base/healthz"
# The hash is timed right before the login scenario, so that both see the same machine.
echo "timing one Argon2id hash..." >&2
# The target's reference is libsodium's crypto_pwhash_str alone; tasklaned keeps the hash's memory
# between hashes (Argon2ArenaScope), so its own hash is cheaper, and is reported beside it.
hash_ms=$("$hashtime" library)
pool_rate=$("$hashtime" library "$cores")
own_hash_ms=$("$hashtime" tasklaned)
own_pool_rate=$("$hashtime" tasklaned "$cores")
run_wrk login 2 "$login_conns" "$base/api/v1/auth/login" bench/login.lua
# A login flood and, beside it, GET /users/me, whose latency is what this scenario is about.
sleep 2
timeout $((duration + 30)) wrk -t1 -c"$flood_login_conns" -d"${duration}s" --latency -s bench/login.lua \
    "$base/api/v1/auth/login" > "$work/flood-login.txt" &
flood=$!
pids+=("$flood")
run_wrk flood-me 1 "$flood_me_conns" "$base/api/v1/users/me" bench/me.lua
wait $flood
BENCH_LOGIN_MODE=wrong-password run_wrk login-wrong-password 1 2 "$base/api/v1/auth/login" bench/login.lua
BENCH_LOGIN_MODE=unknown-email run_wrk login-unknown-email 1 2 "$base/api/v1/auth/login" bench/login.lua
# For reference: /users/me with every request checked against the database (no principal cache).
stop_server
start_server --auth-cache-ttl-ms 0
run_wrk me-no-cache 2 64 "$base/api/v1/users/me" bench/me.lua
stop_server
load_after=$(cut -d" " -f1-3 /proc/loadavg)
# Other processes' CPU per sample (100% = one core), leaving out this benchmark's own.
others=$(awk -v cores="$cores" '
    function flush() { if (n++ > 1) { sum += cpu; if (cpu > max) max = cpu }; cpu = 0 }
    /^top - / { flush(); next }
    $1 ~ /^[0-9]+$/ && $12 !~ /^(wrk|nginx|tasklaned|tasklane-hashti|top|curl|xargs|tasklane-hash|tasklane-db|timeout|sleep)$/ {
        cpu += $9; if ($9 + 0 >= 20) seen[$12] = 1 }
    END { flush(); names = ""; for (c in seen) names = names (names ? ", " : "") c
          printf "%.0f %.0f %s", (n > 2 ? sum / (n - 2) : 0), max, (names ? names : "none") }' "$work/top.txt")
read -r others_mean others_max others_names <<< "$others"

# --- the table --------------------------------------------------------------------------------
read -r nginx_rps _ < <(parse "$work/nginx.txt")
login_target=$(awk -v c="$cores" -v h="$hash_ms" 'BEGIN { printf "%.1f", 0.8 * c / (h / 1000) }')
# Rates as a percentage of cores / tasklaned's own one-thread hash time.
of_own_hash() { awk -v r="$1" -v c="$cores" -v h="$own_hash_ms" 'BEGIN { printf "%.1f", 100 * r * h / (c * 1000) }'; }
own_scaling=$(of_own_hash "$own_pool_rate")
read -r login_rps _ < <(parse "$work/login.txt")
read -r me_rps _ < <(parse "$work/me.txt")
read -r me_log_off_rps _ < <(parse "$work/me-log-off.txt")
log_on_off=$(awk -v a="$me_rps" -v b="$me_log_off_rps" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
login_vs_own=$(of_own_hash "$login_rps")
verdict() { awk "BEGIN { exit !($1) }" && echo pass || echo FAIL; }
pct() { awk -v a="$1" -v b="$nginx_rps" -v d="$2" 'BEGIN { printf "%.*f", d, 100 * a / b }'; }
row() { # scenario wrk-options file decimals ratio-decimals|"" target verdict-expression|""
    local rps p50 p99 bad err ratio="" result=""
    read -r rps p50 p99 bad err < <(parse "$work/$3")
    [ -z "$5" ] || ratio="$(pct "$rps" "$5")%"
    if [ -n "$7" ]; then
        result=$(verdict "$(echo "$7" | sed -e "s/RPS/$rps/g" -e "s/P50/$p50/g" -e "s/P99/$p99/g" \
            -e "s/BAD/$bad/g" -e "s/ERR/$err/g")")
    fi
    [ "$err" = 0 ] || bad="$bad (+$err socket errors)"
    printf "| %s | %s | %.*f | %s | %s | %s | %s | %s | %s |\n" \
        "$1" "$2" "$4" "$rps" "$p50" "$p99" "$bad" "$ratio" "$6" "$result"
    last_p50=$p50
}
provisional=$(awk -v m="$others_mean" -v x="$others_max" 'BEGIN { print (m > 10 || x > 50) ? "yes" : "no" }')
{
    echo "| scenario | wrk | req/s | p50 ms | p99 ms | non-2xx | vs nginx | target | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---|---|"
    # shellcheck disable=SC2016 # backquotes are markdown
    row 'nginx `return 200`' "-t2 -c64" nginx.txt 0 0 baseline ""
    row "GET /users/me" "-t2 -c64" me.txt 0 1 ">= 35% of nginx, p99 <= 10 ms" \
        "100 * RPS / $nginx_rps >= 35 && P99 <= 10 && BAD == 0 && ERR == 0"
    row "GET /users/me, request log off (\`--log-level warning\`)" "-t2 -c64" me-log-off.txt 0 1 \
        "the row above >= 90% of this ($log_on_off%)" "$log_on_off >= 90 && BAD == 0 && ERR == 0"
    row "POST /auth/login" "-t2 -c$login_conns" login.txt 1 2 \
        ">= $login_target/s (0.8 x $cores cores / $hash_ms ms hash)" "RPS >= $login_target && BAD == 0 && ERR == 0"
    row "login flood (beside the next row)" "-t1 -c$flood_login_conns" flood-login.txt 1 "" "" ""
    row "GET /users/me during the flood" "-t1 -c$flood_me_conns" flood-me.txt 0 "" "p99 <= 20 ms" \
        "P99 <= 20 && BAD == 0 && ERR == 0"
    row "failed login: wrong password (401s)" "-t1 -c2" login-wrong-password.txt 1 "" "same time as unknown email" ""
    wrong_p50=$last_p50
    row "failed login: unknown email (401s)" "-t1 -c2" login-unknown-email.txt 1 "" "p50 within 10% of the row above" \
        "P50 - $wrong_p50 <= 0.1 * $wrong_p50 && $wrong_p50 - P50 <= 0.1 * $wrong_p50"
    row "GET /healthz (no token, no database)" "-t2 -c64" healthz.txt 0 1 "(for reference)" ""
    row "GET /users/me, principal cache off" "-t2 -c64" me-no-cache.txt 0 1 "(for reference)" ""
    echo
    echo "tasklaned: release build, SQLite, default settings (the request log on) unless the row says otherwise. GET /users/me with the request log on is $log_on_off% of the same with it off."
    echo "Argon2id (m=19 MiB, t=2, p=1), libsodium's crypto_pwhash_str alone: one hash on one thread $hash_ms ms; $cores threads side by side in one process $pool_rate hashes/s. Cores: $cores. ${duration} s per row."
    echo "The same hash as tasklaned runs it (memory kept per thread): one hash on one thread $own_hash_ms ms; $cores threads side by side $own_pool_rate hashes/s ($own_scaling% of $cores x one). POST /auth/login above is $login_vs_own% of $cores / $own_hash_ms ms."
    echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server common 2>/dev/null || echo ' (server sources modified)'), $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Load average before: $load_before; after: $load_after. Other processes during the run: ${others_mean}% CPU on average, ${others_max}% at most (100% = one core; top every 2 s); at 20% or more: $others_names."
    [ "$provisional" = no ] || echo "**Provisional**: other work used the CPU during the run (more than 10% on average or 50% at a peak)."
} > bench/results-latest.md
cat bench/results-latest.md
