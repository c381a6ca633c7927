#!/usr/bin/env bash
# `npm run bench`: the shared harness measures direct calls, Portkey, claude-code-router and this
# gateway (built, request logging to SQLite on) against the same mock in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build:headless --silent
BENCH_DIR=${BENCH_DIR:-../shared/bench}
# The shared folder is read-only: the harness installs its deps in a writable copy, kept between runs.
export BENCH_DEPS_DIR=${BENCH_DEPS_DIR:-${TMPDIR:-/tmp}/switchyard-bench-deps}
SWITCHYARD_DATA_DIR=$(mktemp -d)
export SWITCHYARD_DATA_DIR
trap 'rm -rf "$SWITCHYARD_DATA_DIR"' EXIT
# BENCH_PROFILE adds features to the config, to measure what each costs against `default`:
# no-bodies (request log without bodies), redact (reversible redaction), cache (exact cache), protect (both),
# limits (the bench's key with RPM and TPM limits it never reaches, in the process), redis-limits (the same
# limits in a throwaway Redis: one Lua script per call plus a fire-and-forget TPM correction).
profile=${BENCH_PROFILE:-default}
[[ ${BENCH_LOG_BODIES:-1} == 0 ]] && profile=no-bodies
limited_key='keys: [{ name: bench, key: sk-bench, limits: { rpm: 1000000000, tpm: 100000000000 } }]'
case $profile in
  default) extra='' ;;
  no-bodies) extra='logs: { storeBodies: false }' ;;
  redact) extra='redaction: { mode: reversible }' ;;
  cache) extra='cache: { mode: exact }' ;;
  protect) extra=$'redaction: { mode: reversible }\ncache: { mode: exact }' ;;
  limits) extra=$limited_key ;;
  redis-limits)
    redis_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$SWITCHYARD_DATA_DIR" --daemonize no >/dev/null &
    redis_pid=$!
    trap 'kill "$redis_pid" 2>/dev/null; rm -rf "$SWITCHYARD_DATA_DIR"' EXIT
    until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
    # With redis, instances share their config sealed under this key (docs/configuration.md).
    SWITCHYARD_SECRET_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
    export SWITCHYARD_SECRET_KEY
    extra=$(printf '%s\nredis: redis://127.0.0.1:%s' "$limited_key" "$redis_port") ;;
  *) echo "unknown BENCH_PROFILE '$profile' (default, no-bodies, redact, cache, protect, limits, redis-limits)" >&2; exit 2 ;;
esac
GATEWAY_CONFIG_TEMPLATE=$SWITCHYARD_DATA_DIR/gateway.yaml.tpl
printf '%s\n%s\n' "$(cat test/bench/gateway.yaml.tpl)" "$extra" >"$GATEWAY_CONFIG_TEMPLATE"
export GATEWAY_CONFIG_TEMPLATE
echo "bench profile: $profile"
export GATEWAY_CMD='node dist/gateway/cli.js serve --config {CONFIG} --port {PORT}'
export BENCH_SCENARIOS=${BENCH_SCENARIOS:-"nonstream stream anthropic anthropic-stream nonstream@1 stream@1 anthropic@1 anthropic-stream@1"}
export BENCH_OUT=${BENCH_OUT:-$PWD/bench-results.json}
status=0
bash "$BENCH_DIR/compare.sh" || status=$?
node test/bench/count-rows.mjs "$BENCH_OUT" "$SWITCHYARD_DATA_DIR"
exit $status
