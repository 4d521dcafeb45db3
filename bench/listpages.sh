#!/usr/bin/env bash
# bench/listpages.sh [DATABASE-URL]: page 1 against page 2 of the 20,000-task user's listing
# (sort=due, 20 a page) while their tasks change: a PATCH before every GET, so that no page
# comes from the cache and moves pile up after the page-2 cursor's moment (two PATCHes per
# round, 200 rounds over 100 tasks). Latencies of single requests (curl), not a throughput target.
# Needs the release build (scripts/build.sh release). On PostgreSQL pass an empty database and
# set TASKLANE_DB_PASSWORD; by default a new SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
# Hundreds of requests a second from one user: the per-user limit counts, but is never reached.
export TASKLANE_RATE_LIMIT_API=${TASKLANE_RATE_LIMIT_API:-100000000}
w=$(mktemp -d /tmp/tasklane-listpages.XXXXXX); chmod 755 $w
url=${1:-sqlite:$w/tasklane.db}
build/release/bench/tasklane-seed "$url" 10 10 20000 "Bench-Passphrase-2026" $w/users.txt >/dev/null
export TASKLANE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
build/release/server/tasklaned serve --listen 127.0.0.1:$port --data $w/data --db "$url" >/dev/null 2>$w/log &
pid=$!
trap "kill $pid; wait $pid 2>/dev/null; rm -rf $w" EXIT
for i in $(seq 50); do curl -fsS http://127.0.0.1:$port/readyz >/dev/null 2>&1 && break; sleep 0.2; done
base=http://127.0.0.1:$port/api/v1
tok=$(curl -fsS -X POST $base/auth/login -H 'Content-Type: application/json' -d '{"email":"bench-big@example.com","password":"Bench-Passphrase-2026"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
H="Authorization: Bearer $tok"
ids=$(curl -fsS -H "$H" "$base/tasks?limit=100&sort=-created" | python3 -c 'import json,sys; print(" ".join(str(t["id"]) for t in json.load(sys.stdin)["items"]))')
cursor=$(curl -fsS -H "$H" "$base/tasks?limit=20&sort=due" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next_cursor"]))')
n=0
for id in $ids $ids; do
  n=$((n+1))
  curl -fsS -o /dev/null -X PATCH -H "$H" -H 'Content-Type: application/json' -d "{\"due_date\":\"2020-01-$(printf %02d $(( n % 28 + 1 )))\"}" $base/tasks/$id
  echo "p1 $(curl -fsS -o /dev/null -w '%{time_total}' -H "$H" "$base/tasks?limit=20&sort=due")"
  curl -fsS -o /dev/null -X PATCH -H "$H" -H 'Content-Type: application/json' -d "{\"priority\":\"high\"}" $base/tasks/$id
  echo "p2 $(curl -fsS -o /dev/null -w '%{time_total}' -H "$H" "$base/tasks?limit=20&sort=due&cursor=$cursor")"
done > $w/times.txt
python3 - $w/times.txt <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
for kind in ("p1", "p2"):
    t = [float(v) * 1000 for k, v in rows if k == kind]
    first, last = t[:20], t[-20:]
    print(f"{kind}: n={len(t)} median {statistics.median(t):.2f} ms; first 20 (few moves) {statistics.median(first):.2f} ms; last 20 (~{len(t)*2} moves) {statistics.median(last):.2f} ms")
PY
