#!/usr/bin/env bash
# Loads, with the same agentgate-loadgen settings in one run:
#   agentgate otlp -> nop, agentgate otlp -> file (HTTP, plus gRPC -> nop for reference),
#   nginx `return 200` on /v1/logs (Debian nginx-light; reads and discards the body),
#   nginx with mirror_request_body (buffers the whole body before answering),
# and prints a table with ratios against nginx. Everything listens on 127.0.0.1 only.
#   bench/scripts/compare_nginx.sh [BUILD_DIR]     (make bench)
# Env: DURATION (s, default 10), CONNECTIONS (default 8), RECORDS (per request, default 100),
#      WORKERS (agentgate workers; nginx runs one process; default 1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$(cd "${1:-$root/build/release}" && pwd)"
agentgate="$build/agentgate"
loadgen="$build/agentgate-loadgen"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-8}"
records="${RECORDS:-100}"
workers="${WORKERS:-1}"
for b in "$agentgate" "$loadgen"; do
  [[ -x "$b" ]] || { echo "compare_nginx: $b not built (make bench builds it)" >&2; exit 2; }
done
command -v nginx >/dev/null || { echo "compare_nginx: nginx missing (scripts/bootstrap)" >&2; exit 2; }

tmp="$(mktemp -d)"
started=()
cleanup() {
  for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
results="$tmp/results.txt"
: >"$results"

# Waits (deadline 30 s) until file $1 exists or process $2 died.
wait_for_file() {
  local deadline=$((SECONDS + 30))
  until [[ -s "$1" ]]; do
    kill -0 "$2" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

stop() {  # stop PID: SIGTERM, wait for it
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

load() {  # load LABEL PROTOCOL ENDPOINT PID
  local out="$tmp/$1.load"
  "$loadgen" --label "$1" --protocol "$2" --endpoint "$3" --pid "$4" --connections "$connections" \
    --duration "$duration" --records "$records" --header "Authorization: Bearer bench-token" >"$out"
  sed 's/^/  /' "$out" | grep -v '^  RESULT'
  grep '^RESULT' "$out" >>"$results"
}

# agentgate with one exporter section; sets AG_PID, AG_HTTP, AG_GRPC.
start_agentgate() {  # start_agentgate NAME EXPORTER_ID EXPORTER_YAML
  local dir="$tmp/$1"
  mkdir -p "$dir"
  cat >"$dir/config.yaml" <<YAML
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
      http:
        endpoint: 127.0.0.1:0
exporters:
$3
service:
  telemetry:
    metrics:
      address: 127.0.0.1:0
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [$2]
YAML
  "$agentgate" run --config "$dir/config.yaml" --data-dir "$dir/data" --workers "$workers" \
    --ready-file "$dir/ready.json" >"$dir/stdout.log" 2>"$dir/stderr.log" &
  AG_PID=$!
  started+=("$AG_PID")
  if ! wait_for_file "$dir/ready.json" "$AG_PID"; then
    echo "compare_nginx: agentgate ($1) did not start:" >&2
    tail -n 20 "$dir/stderr.log" >&2
    exit 1
  fi
  AG_HTTP="$(sed -n 's/.*"otlp\/http": *"\([^"]*\)".*/\1/p' "$dir/ready.json")"
  AG_GRPC="$(sed -n 's/.*"otlp\/grpc": *"\([^"]*\)".*/\1/p' "$dir/ready.json")"
}

# nginx as one process (master_process off) on a free loopback port; sets NG_PID, NG_ADDR.
start_nginx() {  # start_nginx NAME LOCATION_BODY
  local dir="$tmp/$1"
  mkdir -p "$dir/body" "$dir/html/v1" "$dir/logs"
  echo ok >"$dir/html/v1/logs"  # only for the mirror variant: the static 405 becomes 200
  local try port
  for try in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/body;
  fastcgi_temp_path $dir/body;
  uwsgi_temp_path $dir/body;
  scgi_temp_path $dir/body;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port;
    root $dir/html;
    location /v1/logs { $2 }
    location = /_sink { internal; return 204; }
    location @ok { return 200; }
  }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >/dev/null 2>&1 &
    NG_PID=$!
    local deadline=$((SECONDS + 10))
    while kill -0 "$NG_PID" 2>/dev/null && ((SECONDS < deadline)); do
      if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/v1/logs" -d x; then
        started+=("$NG_PID")
        NG_ADDR="127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    kill -KILL "$NG_PID" 2>/dev/null || true
    wait "$NG_PID" 2>/dev/null || true
  done
  echo "compare_nginx: nginx did not start:" >&2
  tail -n 5 "$dir/error.log" >&2
  exit 1
}

# Proves nginx handles the body: a normal body gets 200, one over client_max_body_size gets 413.
check_nginx_reads_body() {
  head -c 30000 /dev/urandom >"$tmp/small.bin"
  head -c 21000000 /dev/zero >"$tmp/big.bin"
  local small big
  small="$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$tmp/small.bin" "http://$NG_ADDR/v1/logs")"
  big="$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$tmp/big.bin" "http://$NG_ADDR/v1/logs")"
  if [[ "$small" != 200 || "$big" != 413 ]]; then
    echo "compare_nginx: nginx body check failed (30 kB -> $small, 21 MB -> $big)" >&2
    exit 1
  fi
}

echo "compare_nginx: $connections connections, ${duration}s each, $records records/request," \
  "agentgate --workers $workers, nginx 1 process, flat out, $(nproc) cores shared with the loadgen"

echo "[1/5] nginx return 200"
start_nginx nginx "client_body_buffer_size 1m; client_max_body_size 20m; return 200;"
check_nginx_reads_body
load nginx http "$NG_ADDR" "$NG_PID"
stop "$NG_PID"

echo "[2/5] nginx buffered body (mirror_request_body)"
start_nginx nginx-buffered "client_body_buffer_size 1m; client_max_body_size 20m; \
client_body_in_single_buffer on; mirror /_sink; mirror_request_body on; error_page 405 =200 @ok;"
check_nginx_reads_body
load nginx-buffered http "$NG_ADDR" "$NG_PID"
stop "$NG_PID"

echo "[3/5] agentgate otlp/http -> nop"
start_agentgate ag-nop nop "  nop: {}"
load agentgate-nop http "$AG_HTTP" "$AG_PID"
echo "[4/5] agentgate otlp/grpc -> nop"
load agentgate-grpc-nop grpc "$AG_GRPC" "$AG_PID"
stop "$AG_PID"

echo "[5/5] agentgate otlp/http -> file"
start_agentgate ag-file file "  file:
    path: $tmp/ag-file/out.jsonl"
load agentgate-file http "$AG_HTTP" "$AG_PID"
stop "$AG_PID"
echo "  file exporter wrote $(du -sh "$tmp/ag-file/out.jsonl" 2>/dev/null | cut -f1) "

echo
awk -v dur="$duration" '
  {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    label[NR] = v["label"]; rps[NR] = v["records_per_s"]; mbs[NR] = v["mb_per_s"];
    p50[NR] = v["p50_ms"]; p99[NR] = v["p99_ms"]; cpu[NR] = v["cpu_s"]; rss[NR] = v["peak_rss_mib"];
    err[NR] = v["errors"];
    if (v["label"] == "nginx") { base = v["records_per_s"]; basecpu = v["records_per_s"] * dur / v["cpu_s"] }
  }
  END {
    printf "%-20s %12s %8s %8s %8s %8s %12s %9s %8s %9s\n", "server", "records/s", "MB/s",
      "p50 ms", "p99 ms", "cpu s", "rec/cpu-s", "RSS MiB", "errors", "vs nginx";
    for (i = 1; i <= NR; i++) {
      per_cpu = cpu[i] > 0 ? rps[i] * dur / cpu[i] : 0;
      printf "%-20s %12.0f %8.2f %8.3f %8.3f %8.2f %12.0f %9.1f %8d %8.2fx\n", label[i], rps[i],
        mbs[i], p50[i], p99[i], cpu[i], per_cpu, rss[i], err[i], (base > 0 ? rps[i] / base : 0);
    }
    printf "(vs nginx = records/s ratio against nginx return 200; rec/cpu-s = records per CPU\n";
    printf " second of the server process, the fairer number when the loadgen shares the cores)\n";
  }' "$results"
