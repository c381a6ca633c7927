import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ServeProcess, startServe } from './serve-process.js'

const root = join(import.meta.dirname, '..', '..')

/** The load balancer's config: compose.yaml mounts this very file, the cluster renders it for the test. */
export const NGINX_TEMPLATE = join(root, 'deploy', 'nginx.conf')
export const NGINX_BINARY = '/usr/sbin/nginx'

export interface NginxRendering {
  /** `host:port` of each gateway, in the order nginx takes them round-robin. */
  upstreams: string[]
  /** The address nginx listens on, `127.0.0.1:PORT`. */
  listen: string
  /** Where the pid file, logs and temporary files go. */
  dir: string
  /** Whether nginx starts as root: then its workers run as root too (the template's user may not exist here). */
  asRoot: boolean
}

/** The directives whose file the rendering moves into `dir`; every other line is the template's own. */
const FILE_DIRECTIVES = /^(\s*)(pid|error_log|access_log)\s+\S+(.*);$/
const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']

/**
 * `deploy/nginx.conf` with the test's gateways as every upstream block's servers (each keeps the template's server
 * parameters), its listen address, and its pid, logs and temporary files in `dir`, so an unprivileged nginx
 * writes nothing outside it. Throws when the template lacks what it substitutes, so a change to the file
 * that the cluster could no longer follow fails here rather than testing a different balancer.
 */
export function renderNginxConf(template: string, r: NginxRendering): string {
  const lines = template.split('\n')
  const out: string[] = []
  let inUpstream = false
  let serversPut = false
  let upstreamBlocks = 0
  let listens = 0
  for (const line of lines) {
    if (/^\s*upstream\s+\S+\s*\{/.test(line)) {
      inUpstream = true
      serversPut = false
    } else if (inUpstream && /^\s*\}/.test(line)) {
      if (!serversPut) throw new Error(`the nginx template has an upstream block without server lines`)
      inUpstream = false
      upstreamBlocks++
    }
    const server = inUpstream ? /^(\s*)server\s+\S+(.*);$/.exec(line) : null
    if (server) {
      // Each block's servers become the test's, with the parameters of the block's first one.
      if (!serversPut) for (const u of r.upstreams) out.push(`${server[1]}server ${u}${server[2]};`)
      serversPut = true
      continue
    }
    const listen = /^(\s*)listen\s+\S+;$/.exec(line)
    if (listen) {
      out.push(`${listen[1]}listen ${r.listen};`)
      listens++
      continue
    }
    const file = FILE_DIRECTIVES.exec(line)
    if (file) {
      out.push(`${file[1]}${file[2]} ${join(r.dir, file[2] === 'pid' ? 'nginx.pid' : `${file[2]}.log`)}${file[3]};`)
      continue
    }
    const user = /^(\s*)user\s+[^;]+;$/.exec(line)
    if (user) {
      // Without root, nginx cannot switch users and warns about the directive: leave it out.
      if (r.asRoot) out.push(`${user[1]}user root;`)
      continue
    }
    out.push(line)
    if (/^\s*http\s*\{/.test(line)) {
      for (const t of TEMP_PATHS) out.push(`  ${t}_temp_path ${join(r.dir, `${t}_temp`)};`)
    }
  }
  if (upstreamBlocks === 0) throw new Error('the nginx template has no upstream block')
  if (listens !== 1) throw new Error(`the nginx template must have exactly one listen line, has ${listens}`)
  return out.join('\n')
}

/** A port nothing listens on now: the kernel's pick for a socket that is closed again at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** Runs nginx once with `-t` on a rendered config: its exit status and what it said. */
export function nginxTest(confPath: string, dir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(NGINX_BINARY, ['-t', '-p', dir, '-c', confPath, '-e', join(dir, 'startup.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d
    })
    child.stderr.on('data', (d: Buffer) => {
      output += d
    })
    child.on('error', (err) => resolve({ code: null, output: String(err) }))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

interface Nginx {
  url: string
  log(): string
  stop(): Promise<void>
}

/** nginx in the foreground (`daemon off`) on a free port, rendered into its own temp folder; resolves once it answers. */
async function startNginx(upstreams: string[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-'))
  // The workers (root when the master is) read nothing here, but an unprivileged one must reach its temp paths.
  chmodSync(dir, 0o755)
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  const asRoot = process.getuid?.() === 0
  writeFileSync(
    conf,
    renderNginxConf(readFileSync(NGINX_TEMPLATE, 'utf8'), { upstreams, listen: `127.0.0.1:${port}`, dir, asRoot }),
  )
  let output = ''
  const child: ChildProcess = spawn(
    NGINX_BINARY,
    ['-p', dir, '-c', conf, '-e', join(dir, 'startup.log'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout!.on('data', (d: Buffer) => {
    output += d
  })
  child.stderr!.on('data', (d: Buffer) => {
    output += d
  })
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const readLog = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8')
    } catch {
      return ''
    }
  }
  const log = () => `${output}${readLog('startup.log')}${readLog('error_log.log')}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  const url = `http://127.0.0.1:${port}`
  // Ready when it answers at all: a gateway's /health through it proves the whole path.
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null || child.signalCode !== null || waited > 10_000) {
      const said = log()
      await stop()
      throw new Error(`nginx did not start:\n${said}`)
    }
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, log, stop }
}

export interface ClusterOptions {
  /** The config every instance starts from, each from its own copy in its own data folder (with `redis:` for the shared state). */
  configYaml: string
  /** How many `serve` processes; 3 by default. */
  instances?: number
  /** nginx round-robin in front, rendered from deploy/nginx.conf. */
  lb?: boolean
  /** Added to every instance's environment. SWITCHYARD_SECRET_KEY defaults to one random key they all share. */
  env?: Record<string, string>
  /** Further `serve` options for every instance, e.g. `--no-log`. */
  serveArgs?: string[]
}

export interface GatewayCluster {
  /** Each instance's own address (127.0.0.1), in start order. */
  urls: string[]
  /** nginx's address, with `lb: true`. */
  lbUrl?: string
  /** The instances themselves: data folders (each one's SQLite log), restart. */
  instances: ServeProcess[]
  /** The admin token every instance shares. */
  adminToken: string
  /** `Authorization: Bearer <admin token>`: the same for every instance, so it also works through nginx. */
  adminHeaders(i?: number): Record<string, string>
  /** Sends `signal` (SIGKILL by default) to instance `i` and resolves once it is gone; its data folder stays until stop(). */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>
  /** What nginx wrote (startup, errors), for a failing test's message. */
  lbLog(): string
  /** Stops nginx and every instance still running and removes their folders. */
  stop(): Promise<void>
}

/**
 * N `switchyard serve` processes from the working tree's sources, each with its own data folder and the
 * same config, admin token and SWITCHYARD_SECRET_KEY, optionally behind nginx: the topology compose.yaml
 * runs, on 127.0.0.1 and free ports. A start that fails stops whatever did start.
 */
export async function startCluster(opts: ClusterOptions): Promise<GatewayCluster> {
  const n = opts.instances ?? 3
  const adminToken = randomBytes(32).toString('base64url')
  const env = { SWITCHYARD_SECRET_KEY: randomBytes(32).toString('base64url'), ...opts.env }
  const started = await Promise.allSettled(
    Array.from({ length: n }, () =>
      startServe(opts.configYaml, opts.serveArgs ?? [], { env, adminToken, fromSource: true }),
    ),
  )
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) {
    await Promise.all(instances.map((i) => i.stop()))
    throw failed.reason
  }
  const urls = instances.map((i) => i.baseUrl)
  let nginx: Nginx | undefined
  if (opts.lb) {
    try {
      nginx = await startNginx(urls.map((u) => new URL(u).host))
    } catch (err) {
      await Promise.all(instances.map((i) => i.stop()))
      throw err
    }
  }
  return {
    urls,
    lbUrl: nginx?.url,
    instances,
    adminToken,
    adminHeaders: () => ({ authorization: `Bearer ${adminToken}` }),
    kill: (i, signal = 'SIGKILL') => instances[i].kill(signal),
    lbLog: () => nginx?.log() ?? '',
    async stop() {
      await nginx?.stop()
      await Promise.all(instances.map((i) => i.stop()))
    },
  }
}

/** An admin API call to instance `i` of `cluster`, with its admin token; `body` is sent as JSON. */
export function clusterAdmin(cluster: GatewayCluster, i: number, method: string, path: string, body?: unknown) {
  return fetch(`${cluster.urls[i]}/admin/v1${path}`, {
    method,
    headers: { ...cluster.adminHeaders(i), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/** An unauthenticated one-message chat completion for `model` at `url`. */
export function chatAt(url: string, model: string) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
}
