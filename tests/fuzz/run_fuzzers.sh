#!/usr/bin/env bash
# Runs the pdata libFuzzer targets for a while each. Builds nothing: configure and build first with
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAGENTGATE_FUZZ=ON
#   ninja -C build-fuzz pdata_proto_fuzz pdata_json_fuzz
# Usage: tests/fuzz/run_fuzzers.sh [seconds-per-fuzzer]   (default 20)
# Env: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_CORPUS_DIR (default $FUZZ_BUILD_DIR/fuzz-corpus),
#      FUZZERS (default "pdata_proto_fuzz pdata_json_fuzz"), AGENTGATE_SHARED_DIR (seed fixtures).
# Seeds come from the agent captures: one byte choosing the signal (0 logs, 1 traces, 2 metrics)
# followed by the body. Exits non-zero if any fuzzer finds a crash (artifacts in the corpus dir).
set -euo pipefail
seconds=${1:-20}
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
corpus_root=${FUZZ_CORPUS_DIR:-$build/fuzz-corpus}
shared=${AGENTGATE_SHARED_DIR:-$repo/../shared}
fuzzers=${FUZZERS:-"pdata_proto_fuzz pdata_json_fuzz"}

seed() {  # seed <dir> <json|pb>
  local dir=$1 kind=$2
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  local i=0
  while IFS= read -r f; do
    local sig
    case "$f" in
      *_logs_*) sig='\x00' ;; *_traces_*) sig='\x01' ;; *_metrics_*) sig='\x02' ;; *) continue ;;
    esac
    i=$((i + 1))
    { printf "$sig"; case "$f" in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac; } >"$dir/seed-$i"
  done < <(if [ "$kind" = json ]; then
             find "$shared/fixtures/agents" -type f -name '*.otlp.json'
           else
             find "$shared/fixtures/agents" -type f \( -name '*.pb' -o -name '*.pb.gz' \)
           fi | sort)
}

seed_lines() {  # seed_lines <dir>: one corpus-dev line (text of secrets and near-misses) per seed
  local dir=$1 src=$shared/fixtures/secrets/corpus-dev.jsonl
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  [ -f "$src" ] || return 0
  split -l 1 -a 4 "$src" "$dir/seed-"
}

seed_envelopes() {  # seed_envelopes <dir>: one Application Insights envelope (golden line) per seed
  local dir=$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  # A sample: every 25th envelope of the golden files (all of them would be thousands of seeds).
  find "$repo/src/appinsights/testdata" -name '*.golden.ndjson' -print0 | sort -z |
    xargs -0 cat | awk 'NR % 25 == 1' | split -l 1 -a 4 - "$dir/seed-"
}

status=0
for fz in $fuzzers; do
  bin=$(find "$build" -type f -name "$fz" -perm -u+x | head -1)
  if [ -z "$bin" ]; then echo "run_fuzzers: $fz not built in $build" >&2; status=1; continue; fi
  corpus=$corpus_root/$fz
  case "$fz" in
    secrets*) seed_lines "$corpus" ;;
    appinsights_envelope*) seed_envelopes "$corpus" ;;
    *json*) seed "$corpus" json ;;
    *) seed "$corpus" pb ;;
  esac
  mkdir -p "$corpus_root/artifacts"
  echo "== $fz for ${seconds}s (corpus $corpus)"
  log=$corpus_root/$fz.log
  rc=0
  "$bin" "$corpus" -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=2048 \
    -artifact_prefix="$corpus_root/artifacts/$fz-" -print_final_stats=1 >"$log" 2>&1 || rc=$?
  tail -n 25 "$log"
  if [ "$rc" -ne 0 ]; then echo "run_fuzzers: $fz FAILED (exit $rc, log $log)" >&2; status=1; fi
done
exit $status
