#!/usr/bin/env bash
# test/container/compose.test.ts runs the same checks, and a person's sign-in, in the test suite.
# Runs compose.yaml with the stand-ins (compose.standins.yaml) under podman-compose and checks it
# end to end through TLS: discovery says issuer https://localhost, registration works, a client
# made with `bwid` in app1 gets a token, and both replicas served requests. Then removes it all,
# volumes included. Needs podman (../shared/tools/container-images.sh), podman-compose, and the
# dnsname CNI plugin (apt: podman-compose golang-github-containernetworking-plugin-dnsname),
# and ports 80 and 443 free. Usage: bash deploy/compose/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SECRETS_KEY=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
POSTGRES_PASSWORD=$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")
export SECRETS_KEY POSTGRES_PASSWORD
# -p: podman-compose 1.0 ignores compose.yaml's `name:` and would name the project after the directory.
compose() { podman-compose -p bwid -f compose.yaml -f deploy/compose/compose.standins.yaml "$@"; }
cname() { podman ps --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -1; }
fail() { echo "FAIL: $*" >&2; for s in app1 app2 postgres caddy; do echo "--- $s" >&2; podman logs --tail 15 "$(cname $s)" >&2 || true; done; exit 1; }
# Containers removed with -v first: podman-compose's down -v leaves the anonymous /data volumes;
# and podman-compose 1.0 never removes the network it made.
cleanup() {
  for s in app1 app2 postgres caddy; do n=$(cname $s); [ -n "$n" ] && podman rm -f -v "$n" >/dev/null 2>&1; done
  compose down -v >/dev/null 2>&1 || true
  podman network ls --filter label=io.podman.compose.project=bwid --format '{{.Name}}' | xargs -r podman network rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

compose build >/tmp/bwid-compose-build.log 2>&1 || { tail -30 /tmp/bwid-compose-build.log; exit 1; }
compose up -d >/tmp/bwid-compose-up.log 2>&1 || { tail -30 /tmp/bwid-compose-up.log; exit 1; }

for _ in $(seq 1 120); do curl -skf https://localhost/readyz >/dev/null && break; sleep 1; done
curl -skf https://localhost/readyz >/dev/null || fail "not ready through the proxy"
# The proxy may have started before an app listened: both must answer.
for s in app1 app2; do
  for _ in $(seq 1 60); do podman exec "$(cname $s)" node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && break; sleep 1; done
done

issuer=$(curl -skf https://localhost/.well-known/openid-configuration | node -pe 'JSON.parse(require("fs").readFileSync(0)).issuer')
[ "$issuer" = "https://localhost" ] || fail "issuer is $issuer"
echo "ok: discovery through TLS, issuer $issuer"

code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST https://localhost/register -H 'Content-Type: application/json' \
  -d '{"email":"sina-compose@example.com","password":"tautai matagofie 2024","given_name":"Sina"}')
[ "$code" = 201 ] || fail "register answered $code"
echo "ok: POST /register 201"

client=$(podman exec "$(cname app1)" bwid clients create --type service --name compose-smoke --json)
id=$(echo "$client" | node -pe 'JSON.parse(require("fs").readFileSync(0)).client_id')
secret=$(echo "$client" | node -pe 'JSON.parse(require("fs").readFileSync(0)).client_secret')
# Several tokens: round robin sends them to both replicas (the client is in the shared database).
for _ in 1 2 3 4; do
  token=$(curl -skf -u "$id:$secret" -d grant_type=client_credentials https://localhost/token) || fail "token request failed"
  echo "$token" | grep -q '"access_token"' || fail "no access_token: $token"
done
echo "ok: client from bwid in app1, client-credentials tokens through the proxy"

for s in app1 app2; do
  podman logs "$(cname $s)" 2>&1 | grep -q '"path":"/token","status":200' || fail "$s served no /token"
done
echo "ok: both replicas served /token"
echo "compose smoke test passed"
