#!/usr/bin/env bash
# `npm run bench`: the shared harness measures direct calls, Portkey, claude-code-router and this gateway (built,
# request logging on) against the same mock, once per profile of BENCH_PROFILES (default: `default shared`, one run),
# then prints the gateway's CPU per request under each profile side by side (test/bench/profile-table.mjs), the
# Postgres writer's rows per second (pg-writer.ts) and the dashboards' query times at SCALE_ROWS rows on Postgres
# (pg-dashboards.ts, 10M by default; BENCH_PG=0 leaves both out).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-../shared/bench}
# The shared folder is read-only: the harness installs its deps in a writable copy, kept between runs.
export BENCH_DEPS_DIR=${BENCH_DEPS_DIR:-${TMPDIR:-/tmp}/switchyard-bench-deps}
export BENCH_SCENARIOS=${BENCH_SCENARIOS:-"nonstream stream anthropic anthropic-stream nonstream@1 stream@1 anthropic@1 anthropic-stream@1"}

# BENCH_PROFILE adds features to the config, to measure what each costs against `default`:
# no-bodies (request log without bodies), redact (reversible redaction), cache (exact cache), protect (both),
# limits (the bench's key with RPM and TPM limits it never reaches, in the process), redis-limits (the same
# limits in a throwaway Redis: one Lua script per call plus a fire-and-forget TPM correction), shared (what several
# instances share: the same limits in Redis and the request log in Postgres; run under with-backends.ts).
limited_key='keys: [{ name: bench, key: sk-bench, limits: { rpm: 1000000000, tpm: 100000000000 } }]'

# One profile: the harness with that config, its results in $2, then the request-log check.
run_profile() {
  local profile=$1 out=$2
  SWITCHYARD_DATA_DIR=$(mktemp -d)
  export SWITCHYARD_DATA_DIR
  local redis_pid='' extra
  case $profile in
    default) extra='' ;;
    no-bodies) extra='logs: { storeBodies: false }' ;;
    redact) extra='redaction: { mode: reversible }' ;;
    cache) extra='cache: { mode: exact }' ;;
    protect) extra=$'redaction: { mode: reversible }\ncache: { mode: exact }' ;;
    limits) extra=$limited_key ;;
    redis-limits)
      local redis_port
      redis_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
      redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$SWITCHYARD_DATA_DIR" --daemonize no >/dev/null &
      redis_pid=$!
      until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
      extra=$(printf '%s\nredis: redis://127.0.0.1:%s' "$limited_key" "$redis_port") ;;
    shared)
      # with-backends.ts started both servers for this process and named them in BENCH_PG_URL and BENCH_REDIS_URL.
      [[ -n ${BENCH_PG_URL:-} && -n ${BENCH_REDIS_URL:-} ]] || { echo "the shared profile runs under test/bench/with-backends.ts" >&2; return 2; }
      extra=$(printf '%s\nredis: "${env:BENCH_REDIS_URL}"\ndatabase: "${env:BENCH_PG_URL}"' "$limited_key") ;;
    *) echo "unknown BENCH_PROFILE '$profile' (default, no-bodies, redact, cache, protect, limits, redis-limits, shared)" >&2; return 2 ;;
  esac
  # With redis or database, instances share their config sealed under this key (docs/configuration.md).
  SWITCHYARD_SECRET_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
  export SWITCHYARD_SECRET_KEY
  GATEWAY_CONFIG_TEMPLATE=$SWITCHYARD_DATA_DIR/gateway.yaml.tpl
  printf '%s\n%s\n' "$(cat test/bench/gateway.yaml.tpl)" "$extra" >"$GATEWAY_CONFIG_TEMPLATE"
  export GATEWAY_CONFIG_TEMPLATE
  echo "bench profile: $profile"
  export GATEWAY_CMD='node dist/gateway/cli.js serve --config {CONFIG} --port {PORT}'
  local status=0
  BENCH_OUT=$out bash "$BENCH_DIR/compare.sh" || status=$?
  if [[ $profile == shared ]]; then
    node test/bench/count-rows.mjs "$out" --pg "$BENCH_PG_URL" || status=$?
  else
    node test/bench/count-rows.mjs "$out" "$SWITCHYARD_DATA_DIR" || status=$?
  fi
  [[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null
  rm -rf "$SWITCHYARD_DATA_DIR"
  return $status
}

# with-backends.ts runs this script again for one profile: BENCH_ONE_PROFILE=NAME BENCH_ONE_OUT=FILE.
if [[ -n ${BENCH_ONE_PROFILE:-} ]]; then
  run_profile "$BENCH_ONE_PROFILE" "$BENCH_ONE_OUT"
  exit $?
fi

npm run build:headless --silent
BENCH_OUT=${BENCH_OUT:-$PWD/bench-results.json}
profiles=${BENCH_PROFILES:-${BENCH_PROFILE:-default shared}}
# BENCH_LOG_BODIES=0 is the old spelling of the no-bodies profile.
[[ ${BENCH_LOG_BODIES:-1} == 0 ]] && profiles=no-bodies
status=0
table_args=()
first=1
for profile in $profiles; do
  # The first profile writes BENCH_OUT, the others beside it; the peers (direct, Portkey, CCR) run with the first only.
  if [[ $first == 1 ]]; then out=$BENCH_OUT; else out=${BENCH_OUT%.json}.$profile.json; fi
  targets=${BENCH_TARGETS:-direct portkey ccr gateway}
  [[ $first == 1 ]] || targets=gateway
  if [[ $profile == shared ]]; then
    backends=${out%.json}.backends.json
    BENCH_TARGETS=$targets BENCH_ONE_PROFILE=$profile BENCH_ONE_OUT=$out BENCH_BACKENDS_OUT=$backends \
      npx tsx test/bench/with-backends.ts bash test/bench/run.sh || status=$?
    table_args+=("$profile=$out:$backends")
  else
    BENCH_TARGETS=$targets BENCH_ONE_PROFILE=$profile BENCH_ONE_OUT=$out bash test/bench/run.sh || status=$?
    table_args+=("$profile=$out")
  fi
  first=0
done
echo
echo "Gateway CPU per request by profile (one run):"
node test/bench/profile-table.mjs "${table_args[@]}"
if [[ ${BENCH_PG:-1} != 0 ]]; then
  echo
  echo "Postgres log writer (test/bench/pg-writer.ts, ROWS=${ROWS:-20000}):"
  npx tsx test/bench/pg-writer.ts || status=$?
  echo
  npx tsx test/bench/pg-dashboards.ts || status=$?
fi
exit $status
