#!/usr/bin/env bash
# `bash test/bench/gateway-alone.sh [DIR] [SCENARIOS]`: the gateway built in DIR (default this tree; run
# `npm run build:headless` there first) alone under ../shared/bench/compare.sh, one line per scenario with its
# rps and CPU ms per request, then its peak RSS. Alternate two trees to A/B a change on the same machine state.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "${1:-$here}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/test/bench/gateway.yaml.tpl" "$work/gateway.yaml.tpl"
cd "$dir"
SWITCHYARD_DATA_DIR=$work GATEWAY_CONFIG_TEMPLATE=$work/gateway.yaml.tpl BENCH_TARGETS=gateway \
  BENCH_DEPS_DIR=${BENCH_DEPS_DIR:-${TMPDIR:-/tmp}/switchyard-bench-deps} BENCH_SCENARIOS="${2:-anthropic-stream}" \
  GATEWAY_CMD='node dist/gateway/cli.js serve --config {CONFIG} --port {PORT}' BENCH_OUT=$work/out.json \
  bash "$here/../shared/bench/compare.sh" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
# compare.sh's tables: | scenario | target | rps | … | CPU ms/req | and | target | pid | ready | RSS idle | RSS end | peak |
awk -F'|' '$3 ~ /gateway/ && $4 ~ /[0-9]/ && NF > 10 { printf "%s rps %s cpu_ms_per_req %s\n", $2, $4, $11 }
  $2 ~ /gateway/ && $3 ~ /[0-9]/ && NF < 10 { printf "peak RSS MB %s\n", $7 }' "$work/log"
