#!/usr/bin/env bash
# End-to-end load over loopback. Every server gets the same signed ~600-byte
# comment from wrk (32 connections), the server pinned to one core and wrk to
# the other, so the load generator's own ceiling does not hide the server's
# cost. For each server: requests/s, CPU time per request (user + system, all
# threads, read from /proc/<pid>/stat around the measured run), p99 latency,
# non-2xx answers, and resident memory after warm-up and at the end.
#
# The servers:
#   noop_axum, noop_actix         the framework alone: read the body, answer 200
#   library_axum, library_actix   the library's router/service, a handler that
#                                 counts the items (decodes none), no log subscriber
#   axum_receiver, actix_receiver the examples as shipped: one JSON line per event
#                                 on stdout, logs at the default `info` level
#   go_peer, node_peer            benches/peers/: Go net/http + encoding/json the
#                                 way seed 000 does it, Node http + createHmac +
#                                 JSON.parse the way seeds 001/002/004 do it
#
#   bash benches/load.sh                  # DURATION=10 ROUNDS=3 CONNECTIONS=32 TOTAL=1000000
#   SHORT=1 bash benches/load.sh          # CI: 1 s per server, no million-request run
#   SERVERS="noop_axum library_axum" bash benches/load.sh
#
# The servers take turns, ROUNDS times; the ratios are of the medians, since a
# shared machine's noise moves single runs by a quarter. The million-request
# memory run is in the first round only.
# No thresholds: the ratios are what to read. It fails only when a server
# answers anything but 2xx or does not start.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SHORT:-0}" = 1 ]; then
  DURATION="${DURATION:-1}" TOTAL="${TOTAL:-0}" WARMUP="${WARMUP:-1}" ROUNDS="${ROUNDS:-1}"
fi
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
TOTAL="${TOTAL:-1000000}"
PORT="${PORT:-3900}"
PROFILE="${PROFILE:-release}"
SERVERS="${SERVERS:-noop_axum library_axum axum_receiver noop_actix library_actix actix_receiver go_peer node_peer}"
SECRET="load-test-app-secret"

need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null && return
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need taskset util-linux
need curl curl
[[ " $SERVERS " == *" go_peer "* ]] && need go golang-go
[[ " $SERVERS " == *" node_peer "* ]] && need node nodejs

# Server on core 0, wrk on core 1 (no pinning on a single core).
if [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
else
  server_cpu=() client_cpu=()
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

profile_flag=(--profile "$PROFILE")
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
profile_dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build -q "${profile_flag[@]}" -p instagram-webhook-examples --example axum_receiver --example actix_receiver
cargo build -q "${profile_flag[@]}" -p instagram-webhook-benches \
  --bin noop_axum --bin noop_actix --bin count_axum --bin count_actix
if [[ " $SERVERS " == *" go_peer "* ]]; then
  (cd benches/peers/go && GOFLAGS=-mod=mod go build -o "$work/go_peer" .)
fi

command_of() {
  case $1 in
    noop_axum) echo "$target_dir/$profile_dir/noop_axum" ;;
    noop_actix) echo "$target_dir/$profile_dir/noop_actix" ;;
    library_axum) echo "$target_dir/$profile_dir/count_axum" ;;
    library_actix) echo "$target_dir/$profile_dir/count_actix" ;;
    axum_receiver) echo "$target_dir/$profile_dir/examples/axum_receiver" ;;
    actix_receiver) echo "$target_dir/$profile_dir/examples/actix_receiver" ;;
    go_peer) echo "$work/go_peer" ;;
    node_peer) echo "node benches/peers/node/server.js" ;;
    *) echo "unknown server $1" >&2; return 1 ;;
  esac
}

# One signed comment of about 600 bytes, compact and escaped like Meta.
python3 - "$SECRET" "$work/post.lua" <<'PY'
import hashlib, hmac, json, sys
secret, out = sys.argv[1], sys.argv[2]
value = {"from": {"id": "17841474200534901", "username": "zo\u00eb.martin", "self_ig_scoped_id": "17841474200534901"},
         "media": {"id": "18033793664460031", "media_product_type": "FEED"},
         "id": "18054827132171981", "parent_id": "18054827132171900",
         "text": "Tr\u00e8s joli \U0001F525 \u2014 where can I buy it? Is it available in blue as well, and do you ship to Lyon before the 14th? https://example.com/p/1 #summer @shop"}
body = json.dumps({"entry": [{"id": "17841474200534903", "time": 1756217841,
                              "changes": [{"value": value, "field": "comments"}]}],
                   "object": "instagram"}, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
with open(out, "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write("wrk.body = %s\n" % json.dumps(body))
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write('wrk.headers["X-Hub-Signature-256"] = "%s"\n' % signature)
print("delivery: %d bytes, one comment" % len(body), file=sys.stderr)
PY

clock_ticks=$(getconf CLK_TCK)
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# User + system time of every thread of the process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { # load SECONDS [wrk flags...]: wrk's report
  local seconds=$1; shift
  "${client_cpu[@]}" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" "$@" -s "$work/post.lua" "http://127.0.0.1:$PORT/webhook"
}
served() { awk '/requests in/ {print $1}' <<<"$1"; }
refused() { awk '/Non-2xx/ {n = $5} END {print n + 0}' <<<"$1"; }

# run NAME TOTAL -> "NAME rps cpu_us p99 non2xx rss_warm rss_end requests"
run() {
  local name=$1 total=$2 pid out requests non2xx
  # shellcheck disable=SC2046
  INSTAGRAM_APP_SECRET="$SECRET" INSTAGRAM_VERIFY_TOKEN=load PORT="$PORT" \
    "${server_cpu[@]}" $(command_of "$name") >/dev/null 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/webhook?hub.mode=subscribe&hub.verify_token=load&hub.challenge=1" && break
    sleep 0.1
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name did not start:" >&2; cat "$work/$name.err" >&2; return 1
  fi

  out=$(load "$WARMUP")
  requests=$(served "$out") non2xx=$(refused "$out")
  local rss_warm; rss_warm=$(rss_kib "$pid")

  local before after
  before=$(cpu_ticks "$pid")
  out=$(load "$DURATION" --latency)
  after=$(cpu_ticks "$pid")
  local measured; measured=$(served "$out")
  requests=$((requests + measured)) non2xx=$((non2xx + $(refused "$out")))
  local rps p99 cpu_us
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  cpu_us=$(awk -v t=$((after - before)) -v hz="$clock_ticks" -v n="$measured" \
    'BEGIN {printf "%.1f", n ? t / hz * 1e6 / n : 0}')

  # Keep going until TOTAL requests have been served, then read memory again.
  while [ "$requests" -lt "$total" ]; do
    out=$(load 10)
    requests=$((requests + $(served "$out"))) non2xx=$((non2xx + $(refused "$out")))
  done
  local rss_end; rss_end=$(rss_kib "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$name $rps $cpu_us $p99 $non2xx $rss_warm $rss_end $requests"
}

results=()
for round in $(seq "$ROUNDS"); do
  for server in $SERVERS; do
    results+=("$(run "$server" "$([ "$round" = 1 ] && echo "$TOTAL" || echo 0)")")
  done
done

printf '\n%-15s %11s %12s %9s %8s %12s %12s %10s\n' server "requests/s" "CPU us/req" p99 non-2xx \
  "RSS warm KiB" "RSS end KiB" requests
for line in "${results[@]}"; do
  # shellcheck disable=SC2086
  printf '%-15s %11s %12s %9s %8s %12s %12s %10s\n' $line
done

# The median CPU per request of a server's runs.
cpu_of() {
  local line
  for line in "${results[@]}"; do
    if [ "${line%% *}" = "$1" ]; then awk '{print $3}' <<<"$line"; fi
  done | sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
ratio() { # ratio A B: CPU per request of A over B's
  local a b; a=$(cpu_of "$1") b=$(cpu_of "$2")
  [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v x="$1" -v y="$2" \
    'BEGIN {printf "  %-15s / %-15s %5.2fx\n", x, y, (b > 0 ? a / b : 0)}'
  return 0
}
echo
echo "Median CPU per request (us):"
for server in $SERVERS; do printf '  %-15s %6s\n' "$server" "$(cpu_of "$server")"; done
echo "Ratios of the medians:"
ratio library_axum noop_axum
ratio library_actix noop_actix
ratio axum_receiver noop_axum
ratio actix_receiver noop_actix
ratio axum_receiver go_peer
ratio axum_receiver node_peer
ratio actix_receiver go_peer
ratio actix_receiver node_peer

failed=0
for line in "${results[@]}"; do
  read -r name _ _ _ non2xx _ <<<"$line"
  if [ "$non2xx" != 0 ]; then echo "$name answered $non2xx requests with an error"; failed=1; fi
done
exit "$failed"
