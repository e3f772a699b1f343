#!/bin/sh
# multipart/form-data at the HTTP layer of a real `precinct serve`, with curl:
# a well-formed upload is parsed and routed; a missing boundary, a truncated
# body, a body over server.max_upload_bytes (declared or chunked, even when
# it is all preamble), an oversized text field and too many files are
# refused with 400/413 before any handler, with the usual security headers.
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
sed -i 's/^max_upload_bytes = .*/max_upload_bytes = 100000/' "$work/instance/precinct.conf"
grep -q '^max_upload_bytes = 100000$' "$work/instance/precinct.conf" || fail "config key max_upload_bytes"
"$PRECINCT" serve --data "$work/instance" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 100); do grep -q '^precinct: serving ' "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^precinct: serving //p' "$work/out")

# post NAME [curl args...]: POSTs to /healthz (GET only: a parsed body is
# routed and answered 405); prints the status, body in $work/body.
post() {
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$url/healthz"
}
mp='Content-Type: multipart/form-data; boundary=xyz'
crlf() { printf '%s\r\n' "$@"; }

printf 'precinct,contest\nA-1,gov\n' >"$work/file.csv"
[ "$(post -F csrf_token=abc -F "returns=@$work/file.csv")" = 405 ] || fail "well-formed multipart is routed: $(cat "$work/body")"
[ "$(post -H 'Content-Type: multipart/form-data' --data-binary 'x')" = 400 ] || fail "no boundary"
grep -q '"bad_form"' "$work/body" || fail "no boundary code: $(cat "$work/body")"
grep -qi '^X-Content-Type-Options: nosniff' "$work/headers" || fail "security headers on a refused form"
crlf '--xyz' 'Content-Disposition: form-data; name="a"' '' 'hello' >"$work/truncated"
[ "$(post -H "$mp" --data-binary @"$work/truncated")" = 400 ] || fail "truncated body"

head -c 120000 /dev/zero | tr '\0' 'p' >"$work/preamble"
crlf '--xyz' 'Content-Disposition: form-data; name="a"' '' 'hello' '--xyz--' >>"$work/preamble"
[ "$(post -H "$mp" --data-binary @"$work/preamble")" = 413 ] || fail "declared length over the limit"
[ "$(post -H "$mp" -H 'Transfer-Encoding: chunked' --data-binary @"$work/preamble")" = 413 ] ||
  fail "chunked body of preamble over the limit"
[ "$(post -H "$mp" -H 'Accept: text/html' --data-binary @"$work/preamble")" = 413 ] || fail "413 for a browser"
grep -q '<h1 id="error-title">Request too large</h1>' "$work/body" || fail "HTML error page: $(head -c 300 "$work/body")"

head -c 70000 /dev/zero | tr '\0' 'v' >"$work/value"
[ "$(post -F "a=<$work/value")" = 413 ] || fail "text field over 64 KiB"
[ "$(post -F "f=@$work/file.csv" -F "f=@$work/file.csv" -F "f=@$work/file.csv" -F "f=@$work/file.csv" \
          -F "f=@$work/file.csv")" = 413 ] || fail "five files"
[ "$(post -F "f=@$work/file.csv" -F "f=@$work/file.csv" -F "f=@$work/file.csv" -F "f=@$work/file.csv")" = 405 ] ||
  fail "four files are fine"
# Keep-alive survives a parsed multipart request (the reply is queued on the final call).
connects=$(curl -s -o /dev/null -w '%{num_connects} ' -F "a=1" "$url/healthz" \
  --next -s -o /dev/null -w '%{num_connects}' "$url/healthz")
[ "$connects" = "1 0" ] || fail "connection reused after a multipart request ($connects)"
echo "http multipart: ok"
