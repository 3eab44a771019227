#!/usr/bin/env bash
# Schemathesis against a fresh server, as the admin and as a user without an organization.
# Proposed for .ci/run (after `cargo build`):  ST_BIN=$CARGO_TARGET_DIR/debug/manageros ci/schemathesis.sh
# Needs: schemathesis 4.32.x (pip), curl, python3. Exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${ST_BIN:?path to the manageros binary}"
PORT="${ST_PORT:-3900}"
TIME="${ST_MAX_TIME:-420}"            # seconds per caller
WORK="$(mktemp -d)"
B="http://127.0.0.1:$PORT"
"$BIN" serve --listen "127.0.0.1:$PORT" --database-url "sqlite://$WORK/db.sqlite" --outbox "$WORK/outbox" \
  --auth-rate-limit 0 --mail-limit-recipient 0 --mail-limit-org 0 >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.5; done

j() { curl -sf -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import sys,json; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
PW='correct horse battery'
# 1. The admin with an organization, a verified address and a linked person.
TA=$(j -X POST "$B/api/auth/signup" -d "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"password\":\"$PW\"}" | field '["token"]')
j -X POST "$B/api/organizations" -H "Authorization: Bearer $TA" -d '{"name":"Acme","slug":"acme"}' >/dev/null
PID=$(j -X POST "$B/api/people" -H "Authorization: Bearer $TA" -d '{"name":"Ada","email":"ada@example.com"}' | field '["person"]["id"]')
VT=$(python3 - "$WORK"/outbox/*.eml <<'PY'
import email, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
t = "".join(p.get_payload(decode=True).decode() for p in m.walk() if p.get_content_type() == "text/plain")
print(re.search(r"token=([A-Za-z0-9_-]+)", t).group(1))
PY
)
j -X POST "$B/api/auth/verify-email" -d "{\"token\":\"$VT\"}" >/dev/null
j -X PUT "$B/api/me/person" -H "Authorization: Bearer $TA" -d "{\"personId\":\"$PID\"}" >/dev/null
# 2. A user without an organization.
j -X POST "$B/api/auth/signup" -d "{\"name\":\"Bob\",\"email\":\"bob@example.com\",\"password\":\"$PW\"}" >/dev/null

st() {  # st NAME EMAIL [args...]
  local name=$1 email=$2; shift 2
  MANAGEROS_ST_EMAIL=$email MANAGEROS_SELF_PERSON_ID=${SELF:-} \
  schemathesis --config-file "$HERE/schemathesis.toml" run "$B/api/openapi.json" \
    --checks all --continue-on-failure --workers 2 --seed 1 --no-color \
    --report junit,ndjson --report-dir "${ST_REPORTS:-$WORK/reports}/$name" "$@"
}
rc=0
# Operations that destroy the caller's own state (its session, its person link, its lack of
# an organization) run last, in a short run of their own: concurrently they turn the other
# operations' requests into 401/403 and hide their behaviour.
SELF=$PID st admin ada@example.com --max-time "$TIME" \
  --exclude-operation-id logout --exclude-operation-id revoke_session --exclude-operation-id unlink_self || rc=1
st noorg bob@example.com --max-time "$TIME" \
  --exclude-operation-id logout --exclude-operation-id revoke_session --exclude-operation-id create_organization || rc=1
st self-admin ada@example.com --max-time 30 --phases coverage,fuzzing \
  --include-operation-id logout --include-operation-id revoke_session --include-operation-id unlink_self || rc=1
st self-noorg bob@example.com --max-time 30 --phases coverage,fuzzing \
  --include-operation-id create_organization --include-operation-id logout || rc=1
exit $rc
