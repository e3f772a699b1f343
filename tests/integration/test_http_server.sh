#!/bin/sh
# Drives a real `precinct serve` over loopback with curl: health and
# readiness, a static file with its ETag and a 304, 404/405 bodies, security
# headers on errors, body and header limits (413/431), query parsing errors,
# and a graceful SIGTERM that lets a slow in-flight upload finish.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server log"; tail -20 "$work/err" 2>/dev/null; exit 1; }

"$PRECINCT" init --data "$work/instance" >/dev/null 2>&1
"$PRECINCT" serve --data "$work/instance" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 100); do grep -q '^precinct: serving ' "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^precinct: serving //p' "$work/out")
case "$url" in http://127.0.0.1:[1-9]*) ;; *) fail "no serving line: $(cat "$work/out")";; esac

# A second server on the same instance is refused by the instance lock.
if "$PRECINCT" serve --data "$work/instance" --listen 127.0.0.1:0 >/dev/null 2>"$work/err2"; then
  fail "second server started"
fi

# status URL [curl args...]: prints the status code, body in $work/body, headers in $work/headers
status() {
  target=$1; shift
  rm -f "$work/body"; : >"$work/body"
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$url$target"
}
header() { grep -i "^$1:" "$work/headers" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }

[ "$(status /healthz)" = 200 ] || fail "healthz status"
[ "$(cat "$work/body")" = '{"status":"ok"}' ] || fail "healthz body: $(cat "$work/body")"
echo "$(header X-Request-Id)" | grep -Eq '^[0-9a-f]{32}$' || fail "request id: $(header X-Request-Id)"

[ "$(status /readyz)" = 200 ] || fail "readyz status"
grep -q '"status":"ready"' "$work/body" || fail "readyz body: $(cat "$work/body")"

[ "$(status /static/precinct.css)" = 200 ] || fail "static status"
[ "$(header Content-Type)" = "text/css; charset=utf-8" ] || fail "css content type: $(header Content-Type)"
[ "$(header Cache-Control)" = "public, max-age=3600" ] || fail "static cache-control"
etag=$(header ETag)
echo "$etag" | grep -Eq '^"[0-9a-f]{32}"$' || fail "etag: $etag"
cmp -s "$work/body" "$PRECINCT_SOURCE/src/web/static/precinct.css" || fail "css body differs from the source file"
[ "$(status /static/precinct.css -H "If-None-Match: $etag")" = 304 ] || fail "If-None-Match did not give 304"
[ ! -s "$work/body" ] || fail "304 with a body"
[ "$(status /static/precinct.css -H 'If-None-Match: "other"')" = 200 ] || fail "wrong etag gave no 200"
[ "$(status /static/error_404.html)" = 404 ] || fail "templates must not be served as static files"
[ "$(status /static/precinct.css -I)" = 200 ] || fail "HEAD static"
[ "$(header Content-Length)" = "$(wc -c <"$PRECINCT_SOURCE/src/web/static/precinct.css" | tr -d ' ')" ] || fail "HEAD length"
# curl -I writes the header block as its output: anything more is a body.
cmp -s "$work/body" "$work/headers" || fail "HEAD returned a body"

[ "$(status /no/such/page)" = 404 ] || fail "404 status"
[ "$(cat "$work/body")" = '{"error":{"code":"not_found","message":"There is no page at this address."}}' ] ||
  fail "404 body: $(cat "$work/body")"
for h in "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" \
         "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" "X-Frame-Options: DENY" \
         "Cache-Control: no-store" "Strict-Transport-Security: max-age=63072000; includeSubDomains"; do
  name=${h%%:*}
  [ "$name: $(header "$name")" = "$h" ] || fail "404 lacks '$h' (got '$(header "$name")')"
done
[ "$(status /no/such/page -H 'Accept: text/html')" = 404 ] || fail "HTML 404 status"
grep -q '<h1 id="error-title">Page not found</h1>' "$work/body" || fail "HTML 404 page"
[ "$(header Content-Type)" = "text/html; charset=utf-8" ] || fail "HTML 404 content type"

[ "$(status /healthz -X DELETE)" = 405 ] || fail "405 status"
[ "$(header Allow)" = "GET, HEAD" ] || fail "Allow: $(header Allow)"
[ "$(cat "$work/body")" = '{"error":{"code":"method_not_allowed","message":"This address does not accept that method."}}' ] ||
  fail "405 body: $(cat "$work/body")"

[ "$(status '/healthz?a=%zz')" = 400 ] || fail "malformed query not refused"
grep -q '"code":"bad_query"' "$work/body" || fail "bad query body"

# Body limits: declared length over server.max_body_bytes (1 MiB), and a
# chunked body with no declared length that grows past it.
head -c 1100000 /dev/zero >"$work/big"
[ "$(status /healthz -X POST --data-binary @"$work/big")" = 413 ] || fail "declared big body not 413"
grep -q '"code":"too_large"' "$work/body" || fail "413 body: $(cat "$work/body")"
[ -n "$(header Content-Security-Policy)" ] || fail "413 lacks security headers"
[ "$(status /healthz -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$work/big")" = 413 ] || fail "chunked big body not 413"
# Header limit: server.max_header_bytes is 16384.
long=$(head -c 17000 /dev/zero | tr '\0' 'a')
[ "$(status /healthz -H "X-Long: $long")" = 431 ] || fail "big headers not 431"

# The access log has one line per request, without query strings. Access
# lines are buffered (log.access_flush_ms, 1 s by default): they appear
# within the interval, not at once.
for _ in $(seq 1 30); do
  grep -q '"msg":"request".*"path":"/healthz","status":400' "$work/err" && break
  sleep 0.1
done
grep -q '"msg":"request".*"path":"/healthz","status":400' "$work/err" || fail "no access log line within 3 s"
if grep -q 'a=%zz' "$work/err"; then fail "query string logged"; fi

# Graceful stop: a slow upload (10 KB at 2 KB/s, about 5 s) is in flight
# when SIGTERM arrives; it must still get its full response, and the server
# must exit 0.
head -c 10000 /dev/zero >"$work/slow"
curl -s -o "$work/slow_body" -w '%{http_code}' --limit-rate 2K -X POST -H 'Expect:' \
  --trace-ascii "$work/slow_trace" --data-binary @"$work/slow" "$url/healthz" >"$work/slow_status" &
slow=$!
# SIGTERM once the body is on its way (the request line and headers are in
# the server's hands), not after a fixed second: a curl that took longer to
# start would have met a closed server and failed the test.
for _ in $(seq 1 200); do grep -q '^=> Send data' "$work/slow_trace" 2>/dev/null && break; sleep 0.05; done
grep -q '^=> Send data' "$work/slow_trace" || fail "the slow upload did not start"
kill -TERM "$server"
wait "$slow" || fail "slow request failed"
[ "$(cat "$work/slow_status")" = 405 ] || fail "slow request status: $(cat "$work/slow_status")"
grep -q '"method_not_allowed"' "$work/slow_body" || fail "slow request body: $(cat "$work/slow_body")"
rc=0
wait "$server" || rc=$?
server=""
[ "$rc" = 0 ] || fail "server exited $rc"
grep -q '"msg":"stopped"' "$work/err" || fail "no stop message"
if grep -q 'still in flight' "$work/err"; then fail "requests abandoned at stop"; fi
echo "test_http_server: ok"
