#!/bin/sh
# Runs the real deploy/nginx/precinct.conf in a throwaway nginx on loopback
# (prefix, pid, logs and temp dirs under a temp dir, self-signed TLS) in
# front of a running `precinct serve`: caching headers of the static export,
# revalidation by ETag, a proxied page, the rate limit, and `precinct results
# verify` passing on a copy downloaded through nginx. Skips (exit 0 with a
# note) only when nginx is not installed.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
nginx_bin=$(command -v nginx || true)
[ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  echo "SKIP: nginx is not installed (scripts/install-deps installs nginx-light)"
  exit 0
fi
work=$(mktemp -d)
chmod 0755 "$work" # nginx workers (nobody when started as root) read the export
server=""
cleanup() {
  if [ -f "$work/nginx/nginx.pid" ]; then kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true; fi
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [ -f "$work/nginx/error.log" ] && tail -20 "$work/nginx/error.log" >&2
  exit 1
}
# Two distinct loopback ports free a moment ago (both bound at once, so never
# the same one twice). Another process may still take one before nginx binds
# it: the start below then tries new ones.
free_ports() {
  python3 -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

data="$work/instance"
"$PRECINCT" init --data "$data" --state "Test State" >/dev/null 2>&1
"$PRECINCT" demo --data "$data" --precincts 60 >"$work/demo.out" 2>&1 || fail "demo"
mkdir -p "$work/results"
"$PRECINCT" results export --data "$data" --static "$work/results/site" >/dev/null 2>&1 || fail "export"

"$PRECINCT" serve --data "$data" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q '^precinct: serving ' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
upstream=$(sed -n 's|^precinct: serving http://||p' "$work/serve.out")
[ -n "$upstream" ] || fail "precinct serve did not start: $(cat "$work/serve.err")"

# Self-signed certificate for 127.0.0.1.
mkdir -p "$work/nginx/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/nginx/tls/key.pem" -out "$work/nginx/tls/cert.pem" \
  2>/dev/null || fail "openssl req"

# The deployed site file with its documented paths rewritten; each rewrite
# must hit exactly the expected number of lines, so the test follows the file.
conf="$PRECINCT_SOURCE/deploy/nginx/precinct.conf"
rewrite() { # count from to
  n=$(grep -v '^ *#' "$conf" | grep -c -F "$2" || true)
  [ "$n" -eq "$1" ] || fail "deploy/nginx/precinct.conf: expected $1 lines with '$2', found $n"
}
rewrite 1 'listen 443 ssl;'
rewrite 1 'listen 80;'
rewrite 1 '/etc/ssl/precinct/fullchain.pem'
rewrite 1 '/etc/ssl/precinct/privkey.pem'
rewrite 1 'server 127.0.0.1:8080;'
user_line=""
if [ "$(id -u)" -eq 0 ]; then user_line="user nobody nogroup;"; fi
cat >"$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  include $work/nginx/precinct.conf;
}
EOF
mkdir -p "$work/nginx/tmp"
attempt=0
while :; do
  attempt=$((attempt + 1))
  # shellcheck disable=SC2046
  set -- $(free_ports)
  https_port=$1 http_port=$2
  sed -e "s|listen 443 ssl;|listen 127.0.0.1:$https_port ssl;|" \
      -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
      -e "s|/etc/ssl/precinct/fullchain.pem|$work/nginx/tls/cert.pem|" \
      -e "s|/etc/ssl/precinct/privkey.pem|$work/nginx/tls/key.pem|" \
      -e "s|server 127.0.0.1:8080;|server $upstream;|" \
      -e "s|/srv/results|$work/results|g" "$conf" >"$work/nginx/precinct.conf"
  "$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -t >"$work/nginx-t" 2>&1 ||
    { cat "$work/nginx-t" >&2; fail "nginx -t"; }
  "$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
    -g "daemon on; pid $work/nginx/nginx.pid;" >"$work/nginx-start" 2>&1 && break
  grep -q "Address already in use" "$work/nginx-start" && [ "$attempt" -lt 5 ] ||
    { cat "$work/nginx-start" >&2; fail "nginx did not start"; }
  echo "ports $https_port, $http_port were taken meanwhile: trying others"
done
base="https://127.0.0.1:$https_port"
c() { curl -s --cacert "$work/nginx/tls/cert.pem" "$@"; }
for _ in $(seq 1 50); do c -o /dev/null "$base/results/" && break; sleep 0.1; done

# Plain HTTP redirects to HTTPS.
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/results/")
case "$code" in "301 https://127.0.0.1/results/") ;; *) fail "http redirect: $code";; esac

# The current publication: short max-age, ETag, byte-identical to the export.
header() { grep -i "^$1:" "$work/headers" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
code=$(c -D "$work/headers" -o "$work/page" -w '%{http_code}' "$base/results/")
[ "$code" = 200 ] || fail "GET /results/: $code"
cmp -s "$work/page" "$work/results/site/index.html" || fail "/results/ is not index.html"
[ "$(header Cache-Control)" = "public, max-age=15" ] || fail "index Cache-Control: $(header Cache-Control)"
etag=$(header ETag)
[ -n "$etag" ] || fail "no ETag on the index"
header Strict-Transport-Security | grep -q max-age= || fail "no HSTS"
code=$(c -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/results/index.html")
[ "$code" = 304 ] || fail "revalidation with ETag: $code"
code=$(c -D "$work/headers" -o "$work/page" -w '%{http_code}' "$base/results/results.json")
[ "$code" = 200 ] && [ "$(header Content-Type)" = "application/json; charset=utf-8" ] ||
  fail "results.json: $code $(header Content-Type)"
cmp -s "$work/page" "$work/results/site/results.json" || fail "results.json differs"
# Contest maps are SVG files of their own.
code=$(c -D "$work/headers" -o "$work/page" -w '%{http_code}' "$base/results/maps/c1.svg")
[ "$code" = 200 ] && [ "$(header Content-Type)" = "image/svg+xml" ] || fail "maps/c1.svg: $code $(header Content-Type)"
cmp -s "$work/page" "$work/results/site/maps/c1.svg" || fail "maps/c1.svg differs"
code=$(c -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -D "$work/headers" "$base/results/results.json")
[ "$(header Content-Encoding)" = gzip ] || fail "results.json is not compressed"

# A publication by number: immutable, a year.
code=$(c -D "$work/headers" -o "$work/page" -w '%{http_code}' "$base/results/v1/contests/c1.html")
[ "$code" = 200 ] || fail "GET /results/v1/contests/c1.html: $code"
cmp -s "$work/page" "$work/results/site.v1/contests/c1.html" || fail "versioned page differs"
[ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ] || fail "versioned Cache-Control: $(header Cache-Control)"
[ -n "$(header ETag)" ] || fail "no ETag on a versioned file"
[ "$(c -o /dev/null -w '%{http_code}' "$base/results/v2/index.html")" = 404 ] || fail "unknown publication"
[ "$(c -o /dev/null -w '%{http_code}' "$base/results/v1/../../instance/keys/publish_ed25519.key")" != 200 ] ||
  fail "path escape"

# Proxied to precinct serve: the health check and the login page.
code=$(c -o "$work/page" -w '%{http_code}' "$base/healthz")
[ "$code" = 200 ] || fail "proxied /healthz: $code"
code=$(c -D "$work/headers" -o "$work/page" -w '%{http_code}' "$base/login")
[ "$code" = 200 ] && grep -q '<form' "$work/page" || fail "proxied /login: $code"
code=$(c -o "$work/page" -w '%{http_code}' "$base/api/me")
[ "$code" = 401 ] || fail "proxied /api/me without a session: $code"

# The rate limit: 60 quick requests to the login page, burst 5 at 2/s. One
# curl on one kept-alive connection sends them (60 curl processes, each with
# its own TLS handshake, could take over 7 s on a loaded machine, and 2/s
# over that time lets more than 20 through). However long they took, at
# most 6 (the first and a burst of 5) plus 2 per second started may pass.
set --
for _ in $(seq 1 60); do set -- "$@" -o /dev/null "$base/login"; done
t0=$(date +%s%3N)
c -w '%{http_code}\n' "$@" >"$work/limited"
elapsed_ms=$(( $(date +%s%3N) - t0 ))
[ "$(wc -l <"$work/limited")" -eq 60 ] || fail "rate limit: $(wc -l <"$work/limited") answers to 60 requests"
limited=$(grep -c '^429$' "$work/limited" || true)
[ "$(grep -c '^200$' "$work/limited" || true)" -eq $((60 - limited)) ] || fail "rate limit: answers other than 200 and 429"
echo "rate limit: $limited of 60 login requests got 429 in $elapsed_ms ms"
allowed=$(( 6 + (2 * elapsed_ms + 999) / 1000 ))
[ "$limited" -ge $((60 - allowed)) ] ||
  fail "rate limit: only $limited of 60 login requests in $elapsed_ms ms got 429 (at most $allowed may pass)"
# ... and the static export is not limited.
for _ in $(seq 1 60); do
  [ "$(c -o /dev/null -w '%{http_code}' "$base/results/summary.json")" = 200 ] || fail "static file rate limited"
done

# Download the publication through nginx (manifest, signature, every listed
# file) and verify it offline with the key from the instance's export.
mkdir -p "$work/copy"
c -f -o "$work/copy/manifest.txt" "$base/results/manifest.txt" || fail "download manifest.txt"
c -f -o "$work/copy/manifest.sig" "$base/results/manifest.sig" || fail "download manifest.sig"
files=0
grep -v '^#' "$work/copy/manifest.txt" | sed 's/^[0-9a-f]*  //' >"$work/names"
while read -r name; do
  mkdir -p "$work/copy/$(dirname "$name")"
  c -f -o "$work/copy/$name" "$base/results/$name" || fail "download $name"
  files=$((files + 1))
done <"$work/names"
[ "$files" -gt 10 ] || fail "manifest lists only $files files"
key=$(cat "$work/results/site/publish_ed25519.pub")
"$PRECINCT" results verify "$work/copy" --key "$key" >"$work/verify.out" 2>&1 || fail "verify: $(cat "$work/verify.out")"
# A changed byte in the download fails it (the check is real).
printf 'x' | dd of="$work/copy/index.html" bs=1 seek=20 conv=notrunc 2>/dev/null
if "$PRECINCT" results verify "$work/copy" --key "$key" >/dev/null 2>&1; then fail "tampered copy verified"; fi

echo ok
