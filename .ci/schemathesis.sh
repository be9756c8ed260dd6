#!/usr/bin/env bash
# Fuzzes the operations API against its own OpenAPI document with schemathesis, for a bounded time:
# no 5xx, every status and body as documented, schema-violating input refused. One check is left out:
# "valid input accepted" (positive_data_acceptance), since a schema cannot say which dates exist: a
# string of RFC 3339's shape such as 2026-02-30T00:00:00Z is valid to it and rightly refused (400). Runs the inbox_receiver example (built by the tests
# step) on a fresh SQLite inbox seeded with one delivery of every kind.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${SCHEMATHESIS_SECONDS:-120}"
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
cargo build --quiet -p instagram-webhook-examples --example inbox_receiver --example send_test_event

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
ops_port=$(free_port)
token="schemathesis-operations-token"
secret="schemathesis-app-secret"
INSTAGRAM_APP_SECRET="$secret" INSTAGRAM_VERIFY_TOKEN=schemathesis PORT="$port" OPS_PORT="$ops_port" \
  INSTAGRAM_WEBHOOK_OPS_TOKEN="$token" INSTAGRAM_WEBHOOK_DATABASE="sqlite://$work/inbox.db" \
  RUST_LOG=warn target/debug/examples/inbox_receiver >"$work/stdout" 2>"$work/stderr" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

ready() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }
for _ in $(seq 1 100); do
  if ready "http://127.0.0.1:$ops_port/readyz"; then break; fi
  sleep 0.1
done
if ! ready "http://127.0.0.1:$ops_port/readyz"; then
  echo "the example did not become ready:"
  tail -n 40 "$work/stderr"
  exit 1
fi

for kind in $(INSTAGRAM_APP_SECRET="$secret" target/debug/examples/send_test_event --kind list); do
  INSTAGRAM_APP_SECRET="$secret" target/debug/examples/send_test_event \
    --url "http://127.0.0.1:$port/webhook" --kind "$kind" >/dev/null
done

"$venv/bin/schemathesis" run "http://127.0.0.1:$ops_port/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --max-time "$seconds" \
  --workers 2 \
  --seed 20261201 \
  --no-color \
  --report-dir "$work/report"

if ! kill -0 $server 2>/dev/null; then
  echo "the server died during the run:"
  tail -n 40 "$work/stderr"
  exit 1
fi
