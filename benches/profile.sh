#!/usr/bin/env bash
# Where a request's CPU goes: one server from benches/load.sh (or the inbox
# receiver) runs under valgrind's callgrind while wrk sends it signed comments
# for a few seconds; prints the instructions per request, in all and by stage.
# Instruction counts do not depend on what else the machine is doing, so two
# builds can be compared on a noisy machine.
#
#   bash benches/profile.sh library_axum     # noop_axum, library_axum, axum_receiver, inbox_receiver
#   SECONDS_UNDER_LOAD=8 bash benches/profile.sh inbox_receiver
#
# valgrind does not offer the CPU's SHA extensions, so HMAC-SHA256 runs in
# software here: its stage is reported apart, and is far cheaper on real
# hardware (see `cargo bench --bench signature`). The inbox receiver stores
# into a fresh SQLite file and runs no worker; every delivery is distinct.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${1:?which server: noop_axum, library_axum, axum_receiver or inbox_receiver}
seconds=${SECONDS_UNDER_LOAD:-6}
port=${PORT:-3950}
secret="load-test-app-secret"

command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

case $server in
  noop_axum) cargo build -q --release -p instagram-webhook-benches --bin noop_axum; binary=target/release/noop_axum ;;
  library_axum) cargo build -q --release -p instagram-webhook-benches --bin count_axum; binary=target/release/count_axum ;;
  axum_receiver | inbox_receiver)
    cargo build -q --release -p instagram-webhook-examples --example "$server"
    binary=target/release/examples/$server ;;
  *) echo "unknown server $server" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; [ -z "${KEEP:-}" ] || echo "kept $work"' EXIT

# 20,000 distinct signed comments (so the inbox stores each), cycled through by wrk.
python3 - "$secret" "$work/post.lua" <<'PY'
import hashlib, hmac, json, sys
secret, out = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    f.write("local bodies = {\n")
    for i in range(20000):
        value = {"from": {"id": "17841474200534901", "username": "zo\u00eb.martin"},
                 "media": {"id": "18033793664460031", "media_product_type": "FEED"},
                 "id": "18054827%09d" % i,
                 "text": "Tr\u00e8s joli \U0001F525 \u2014 where can I buy it? https://example.com/p/%d" % i}
        body = json.dumps({"entry": [{"id": "17841474200534903", "time": 1756217841,
                                      "changes": [{"value": value, "field": "comments"}]}],
                           "object": "instagram"}, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
        signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        f.write("{%s, %s},\n" % (json.dumps(body), json.dumps(signature)))
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n")
    f.write('  return wrk.format("POST", nil, {["Content-Type"] = "application/json", '
            '["X-Hub-Signature-256"] = bodies[i][2]}, bodies[i][1])\nend\n')
PY

INSTAGRAM_APP_SECRET="$secret" INSTAGRAM_VERIFY_TOKEN=load PORT="$port" OPS_PORT=0 \
  INSTAGRAM_WEBHOOK_ROLE=receiver INSTAGRAM_WEBHOOK_DATABASE="sqlite://$work/inbox.db" \
  INSTAGRAM_WEBHOOK_OPS_TOKEN=profile-token-0123456789 \
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" "$binary" \
  >/dev/null 2>"$work/server.err" &
pid=$!
for _ in $(seq 300); do
  curl -s -o /dev/null "http://127.0.0.1:$port/webhook?hub.mode=subscribe&hub.verify_token=load&hub.challenge=1" && break
  sleep 0.2
done
taskset -c 1 wrk -t1 -c8 -d1s -s "$work/post.lua" "http://127.0.0.1:$port/webhook" >/dev/null
callgrind_control -z "$pid" >/dev/null 2>&1
taskset -c 1 wrk -t1 -c32 -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/webhook" >"$work/wrk.txt"
callgrind_control -d "$pid" >/dev/null 2>&1
kill "$pid"; wait "$pid" 2>/dev/null || true

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
if grep -q Non-2xx "$work/wrk.txt"; then echo "$server answered errors:"; cat "$work/wrk.txt"; exit 1; fi
profile=$(ls "$work"/callgrind.*.1 | tail -1)
callgrind_annotate --inclusive=yes --threshold=100 "$profile" >"$work/inclusive.txt" 2>/dev/null
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/inclusive.txt")
# inclusive INSTRUCTIONS of the first function whose name matches PATTERN
stage() { awk -v p="$1" '$0 ~ p {gsub(",", "", $1); print $1; exit}' "$work/inclusive.txt"; }
per() { awk -v n="${1:-0}" -v r="$requests" 'BEGIN {printf "%8.0f", n / r}'; }

echo "$server: $requests requests under callgrind, instructions per request:"
printf '  %-44s %s\n' "all (HTTP, the library, the runtime)" "$(per "$total")"
printf '  %-44s %s\n' "HMAC-SHA256 in software (SHA extensions off)" "$(per "$(stage 'sha256::compress256')")"
printf '  %-44s %s\n' "verify (with the HMAC)" "$(per "$(stage 'Receiver::verify ')")"
printf '  %-44s %s\n' "parse the envelope" "$(per "$(stage 'Notification::from_slice ')")"
printf '  %-44s %s\n' "the handler (decode, print or store)" "$(per "$(stage 'Handler>::handle::')")"
printf '  %-44s %s\n' "inbox: record the items (decode, encode)" "$(per "$(stage 'Recording::delivery ')")"
printf '  %-44s %s\n' "inbox: the writer's batch (statements, binds)" "$(per "$(stage 'instagram_webhook_inbox::commit::write')")"
printf '  %-44s %s\n' "inbox: SQLite running them (sqlx's thread)" "$(per "$(stage 'sqlite3_step ')")"
