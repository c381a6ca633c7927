// `npm run bench`'s closing table: the gateway's CPU per request under each profile of one run, side by side
// (target_cpu_ms_per_req from ../shared/bench/compare.sh, the gateway's process tree between the measured
// window's edges), with its throughput, and for profiles with backends (BACKENDS.json from with-backends.ts)
// the servers' own CPU per request over the whole run (warmup and probes included).
//
//   node test/bench/profile-table.mjs default=bench-results.json shared=bench-results.shared.json:backends.json
import { readFileSync } from 'node:fs'

const profiles = process.argv.slice(2).map((arg) => {
  const [name, files] = arg.split('=')
  const [results, backends] = files.split(':')
  const data = JSON.parse(readFileSync(results, 'utf8'))
  const runs = data.runs.filter((r) => r.target === 'gateway')
  return {
    name,
    runs: new Map(runs.map((r) => [r.scenario, r])),
    sent: runs.reduce((n, r) => n + (r.requests_total ?? 0), 0),
    backends: backends ? JSON.parse(readFileSync(backends, 'utf8')) : undefined,
  }
})
const scenarios = [...new Set(profiles.flatMap((p) => [...p.runs.keys()]))]
const base = profiles[0]
const fmt = (n, digits = 3) => (typeof n === 'number' ? n.toFixed(digits) : '–')
const head = [
  'scenario',
  ...profiles.map((p) => `${p.name} CPU ms/req`),
  ...profiles.slice(1).map((p) => `${p.name} vs ${base.name}`),
  ...profiles.map((p) => `${p.name} rps`),
]
const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`]
for (const s of scenarios) {
  const cpu = profiles.map((p) => p.runs.get(s)?.target_cpu_ms_per_req)
  const delta = profiles.slice(1).map((_, i) => {
    const [a, b] = [cpu[0], cpu[i + 1]]
    return typeof a === 'number' && typeof b === 'number' && a > 0
      ? `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(0)}%`
      : '–'
  })
  const rps = profiles.map((p) => fmt(p.runs.get(s)?.rps, 0))
  lines.push(`| ${[s, ...cpu.map((c) => fmt(c)), ...delta, ...rps].join(' | ')} |`)
}
for (const p of profiles) {
  if (!p.backends || p.sent === 0) continue
  lines.push(
    '',
    `${p.name}: the backends' own CPU per request over the whole run (${p.sent} requests): Postgres ` +
      `${fmt(p.backends.postgresCpuMs / p.sent)} ms, Redis ${fmt(p.backends.redisCpuMs / p.sent)} ms`,
  )
}
console.log(lines.join('\n'))
