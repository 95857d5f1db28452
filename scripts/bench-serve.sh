#!/usr/bin/env bash
# Serving benchmark: requests/s and p99 latency of `feedwright serve` beside nginx
# serving the same files from disk, measured with wrk in the same run, on loopback.
#
#   apt-get install wrk nginx-light      # once
#   scripts/bench-serve.sh [SITE] [FEED]  # defaults: examples/blog tags/nfs/index.xml
#
# DURATION (10s), CONNECTIONS (64) and THREADS (1) tune wrk. Two cases per server:
# a conditional GET answered 304, and a 200 with gzip. nginx runs with gzip on for the
# feed types (it compresses per request; feedwright compresses once per regeneration).
set -euo pipefail
cd "$(dirname "$0")/.."
site=${1:-examples/blog}
feed=${2:-tags/nfs/index.xml}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-1}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk nginx-light curl)"; exit 2; }
done
work=$(mktemp -d)
cleanup() {
  [ -n "${fw:-}" ] && kill "$fw" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release -q
target/release/feedwright build -q --site "$site" --out "$work/feeds"
chmod -R a+rX "$work" # nginx's workers run unprivileged
target/release/feedwright serve -q --site "$site" --listen 127.0.0.1:18181 --ready-file "$work/ready" &
fw=$!
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  gzip on;
  gzip_types application/rss+xml application/atom+xml text/xml application/xml;
  server { listen 127.0.0.1:18182; root $work/feeds; }
}
CONF
nginx -c "$work/nginx.conf"
for _ in $(seq 100); do [ -f "$work/ready" ] && break; sleep 0.1; done
for url in "http://127.0.0.1:18181/$feed" "http://127.0.0.1:18182/$feed"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [ "$code" = 200 ] || { echo "$url answered $code"; exit 1; }
done

etag() { curl -sI "$1" | tr -d '\r' | awk 'tolower($1)=="etag:"{print $2}'; }
# wrk's Requests/sec and 99th percentile latency.
run() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  echo "$rps $p99"
}

fw_url="http://127.0.0.1:18181/$feed"
ng_url="http://127.0.0.1:18182/$feed"
echo "| case | feedwright req/s | p99 | nginx req/s | p99 | ratio |"
echo "|---|---|---|---|---|---|"
read -r a ap < <(run -H "If-None-Match: $(etag "$fw_url")" "$fw_url")
read -r b bp < <(run -H "If-None-Match: $(etag "$ng_url")" "$ng_url")
echo "| 304 (If-None-Match) | $a | $ap | $b | $bp | $(awk "BEGIN{printf \"%.2f\", $a/$b}")× |"
read -r a ap < <(run -H "Accept-Encoding: gzip" "$fw_url")
read -r b bp < <(run -H "Accept-Encoding: gzip" "$ng_url")
echo "| 200 gzip | $a | $ap | $b | $bp | $(awk "BEGIN{printf \"%.2f\", $a/$b}")× |"
echo
echo "feed: $feed ($(wc -c < "$work/feeds/$feed") bytes), wrk -t$threads -c$connections -d$duration, $(nproc) cores"
