/**
 * Runs a command beside a throwaway Postgres and Redis (test/helpers/{postgres,redis}-server.ts), for `npm run
 * bench`'s `shared` profile: the command gets BENCH_PG_URL and BENCH_REDIS_URL, which the profile's config reads
 * as `${env:…}`. Afterwards it writes to BENCH_BACKENDS_OUT (JSON) the CPU each server used while the command ran,
 * in ms (its processes and the ones they reaped), and stops both servers.
 *
 *   npx tsx test/bench/with-backends.ts bash -c 'echo $BENCH_PG_URL'
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { startPostgres } from '../helpers/postgres-server.js'
import { startRedis } from '../helpers/redis-server.js'

const TICK_MS = 10

interface Proc {
  pid: number
  ppid: number
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number
  args: string[]
}

function processes(): Proc[] {
  const out: Proc[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
      out.push({
        pid: Number(name),
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
        args,
      })
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out
}

/** CPU ms of the server listening on `port` and of its tree. */
function serverCpuMs(port: number, exe: string): number {
  const all = processes()
  // Redis rewrites its title to `redis-server 127.0.0.1:PORT`; Postgres keeps its `-p PORT` argument.
  const root = all.find((p) => {
    const line = p.args.join(' ')
    return p.args[0]?.split(' ')[0].endsWith(exe) && new RegExp(`(-p |--port |:)${port}\\b`).test(line)
  })
  if (!root) throw new Error(`no ${exe} process on port ${port}`)
  const tree = new Set([root.pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const p of all)
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid)
        grew = true
      }
  }
  return all.filter((p) => tree.has(p.pid)).reduce((ms, p) => ms + p.ticks * TICK_MS, 0)
}

const [cmd, ...args] = process.argv.slice(2)
if (!cmd) {
  process.stderr.write('usage: tsx test/bench/with-backends.ts COMMAND [ARGS…]\n')
  process.exit(2)
}
const [pg, redis] = await Promise.all([startPostgres(), startRedis()])
let code = 1
try {
  const before = { postgres: serverCpuMs(pg.port, 'postgres'), redis: serverCpuMs(redis.port, 'redis-server') }
  const child = spawn(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PG_URL: pg.url, BENCH_REDIS_URL: redis.url },
  })
  code = await new Promise<number>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))))
  const used = {
    postgresCpuMs: serverCpuMs(pg.port, 'postgres') - before.postgres,
    redisCpuMs: serverCpuMs(redis.port, 'redis-server') - before.redis,
  }
  if (process.env.BENCH_BACKENDS_OUT) writeFileSync(process.env.BENCH_BACKENDS_OUT, `${JSON.stringify(used)}\n`)
  process.stderr.write(
    `[with-backends] while it ran: Postgres ${used.postgresCpuMs} ms CPU, Redis ${used.redisCpuMs} ms CPU\n`,
  )
} finally {
  await Promise.all([pg.stop(), redis.stop()])
}
process.exit(code)
