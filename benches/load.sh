#!/usr/bin/env bash
# End-to-end load over loopback: the axum and actix-web example receivers beside
# a no-op server on the same framework, all sent the same signed ~1 KiB delivery
# by wrk. Reports requests/s, p99 latency, non-2xx answers, the receiver/no-op
# ratio, and resident memory after the first 10,000 requests and after 1,000,000.
#
#   bash benches/load.sh            # DURATION=15 CONNECTIONS=32 TOTAL=1000000 to change
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
TOTAL="${TOTAL:-1000000}"
PORT="${PORT:-3900}"
SECRET="load-test-app-secret"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build -q --release -p instagram-webhook-examples --example axum_receiver --example actix_receiver
cargo build -q --release -p instagram-webhook-benches --bin noop_axum --bin noop_actix

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# One signed delivery of about 1 KiB: four comments, escaped like Meta.
python3 - "$SECRET" "$work/post.lua" <<'PY'
import hashlib, hmac, json, sys
secret, out = sys.argv[1], sys.argv[2]
changes = [{"value": {"from": {"id": "1784147420053490%d" % i, "username": "zo\u00eb"},
            "media": {"id": "1803379366446003%d" % i, "media_product_type": "FEED"},
            "id": "1805482713217198%d" % i, "text": "Tr\u00e8s joli \U0001F525 https://example.com/p/%d" % i},
            "field": "comments"} for i in range(4)]
body = json.dumps({"entry": [{"id": "17841474200534903", "time": 1756217841, "changes": changes}],
                   "object": "instagram"}, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
with open(out, "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write("wrk.body = %s\n" % json.dumps(body))
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write('wrk.headers["X-Hub-Signature-256"] = "%s"\n' % signature)
print("delivery: %d bytes" % len(body), file=sys.stderr)
PY

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# run NAME BINARY -> prints "NAME rps p99 non2xx rss_10k rss_1m"
run() {
  local name=$1 binary=$2 pid requests=0 out
  INSTAGRAM_APP_SECRET="$SECRET" INSTAGRAM_VERIFY_TOKEN=load PORT="$PORT" RUST_LOG=error \
    "$binary" >/dev/null 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/webhook" && break; sleep 0.1; done

  # Warm up past 10,000 requests, then read memory.
  out=$(wrk -t1 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "http://127.0.0.1:$PORT/webhook")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  local rss_10k; rss_10k=$(rss_kib "$pid")

  # The measured run.
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/post.lua" "http://127.0.0.1:$PORT/webhook")
  requests=$((requests + $(awk '/requests in/ {print $1}' <<<"$out")))
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}

  # Keep going until TOTAL requests have been served, then read memory again.
  while [ "$requests" -lt "$TOTAL" ]; do
    out=$(wrk -t1 -c"$CONNECTIONS" -d10s -s "$work/post.lua" "http://127.0.0.1:$PORT/webhook")
    requests=$((requests + $(awk '/requests in/ {print $1}' <<<"$out")))
    local more; more=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=$((non2xx + ${more:-0}))
  done
  local rss_1m; rss_1m=$(rss_kib "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$name $rps $p99 $non2xx $rss_10k $rss_1m $requests"
}

results=()
results+=("$(run noop_axum target/release/noop_axum)")
results+=("$(run axum_receiver target/release/examples/axum_receiver)")
results+=("$(run noop_actix target/release/noop_actix)")
results+=("$(run actix_receiver target/release/examples/actix_receiver)")

printf '\n%-16s %12s %10s %8s %12s %12s %10s\n' server "requests/s" p99 non-2xx "RSS@10k KiB" "RSS@end KiB" requests
for line in "${results[@]}"; do
  # shellcheck disable=SC2086
  printf '%-16s %12s %10s %8s %12s %12s %10s\n' $line
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f%%", 100 * a / b}'; }
axum_noop=$(awk '{print $2}' <<<"${results[0]}"); axum_rx=$(awk '{print $2}' <<<"${results[1]}")
actix_noop=$(awk '{print $2}' <<<"${results[2]}"); actix_rx=$(awk '{print $2}' <<<"${results[3]}")
echo
echo "axum receiver / no-op:      $(ratio "$axum_rx" "$axum_noop") of the no-op server's throughput"
echo "actix-web receiver / no-op: $(ratio "$actix_rx" "$actix_noop") of the no-op server's throughput"
