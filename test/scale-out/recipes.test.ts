import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseConfig } from '../../src-gateway/config/load.js'
import { cliProblems } from '../docs/shell-rules.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { NGINX_TEMPLATE, nginxTest, renderNginxConf } from '../helpers/gateway-cluster.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'

// Docker cannot run here: these tests hold the recipes (Dockerfile, compose.yaml, deploy/) to what the
// cluster tests run, so the topology users deploy is the one that is tested.

const root = join(import.meta.dirname, '..', '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

interface Service {
  build?: string
  image?: string
  entrypoint?: string[]
  command?: string[]
  env_file?: string
  environment?: Record<string, string>
  healthcheck?: { test: string[] }
  volumes?: string[]
  ports?: string[]
  depends_on?: Record<string, { condition: string }>
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> }
const services = compose.services
const gateways = ['gateway-a', 'gateway-b']
const nginxConf = read('deploy/nginx.conf')

/** `source:target` volume entries of a service, by target. */
function mounts(s: Service): Map<string, string> {
  return new Map((s.volumes ?? []).map((v) => [v.split(':')[1], v.split(':')[0]]))
}
const serveLine = (s: Service) => (s.entrypoint ?? []).join(' ')

/** The example env file's names, with a placeholder value each. */
const exampleEnv = Object.fromEntries(
  read('deploy/switchyard.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), `value-of-${l.slice(0, l.indexOf('='))}`]),
)

/** README's "Running several instances" copies these lines (copied-from), so they are checked here. */
const README_STEPS = `
cp deploy/switchyard.env.example deploy/switchyard.env
docker compose up -d --build
curl http://localhost:8080/ready
docker compose logs gateway-a
docker compose down
`
  .trim()
  .split('\n')

describe('compose.yaml', () => {
  it("is what README's steps use: the env file the gateways read, the services and the published port", () => {
    const [copy, up, ready, logs, down] = README_STEPS.map((l) => l.split(' '))
    expect(copy[0]).toBe('cp')
    expect(read(copy[1])).toBe(read('deploy/switchyard.env.example'))
    expect(copy[2]).toBe(services['gateway-a'].env_file)
    expect(up.slice(0, 3)).toEqual(['docker', 'compose', 'up'])
    const url = new URL(ready[1])
    expect(services.nginx.ports?.[0].split(':')[0]).toBe(url.port)
    expect(url.pathname).toBe('/ready')
    expect(Object.keys(services)).toContain(logs[3])
    expect(down.join(' ')).toBe('docker compose down')
  })

  it('runs Postgres, Redis, two gateways and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway-a', 'gateway-b', 'nginx', 'postgres', 'redis'])
  })

  it('gives the gateways one image, one env file and one config, and each its own data volume', () => {
    const [a, b] = gateways.map((g) => services[g])
    expect(a.build).toBe('.')
    expect(b.build).toBe('.')
    expect(a.env_file).toBe('deploy/switchyard.env')
    expect(b.env_file).toBe(a.env_file)
    for (const s of [a, b]) {
      expect(mounts(s).get('/etc/switchyard/switchyard.yaml')).toBe('./deploy/switchyard.yaml')
      expect(serveLine(s)).toContain('cp /etc/switchyard/switchyard.yaml /data/config.yaml')
      expect(serveLine(s)).toMatch(
        /serve --host 0\.0\.0\.0 --port 4141 --data-dir \/data --config \/data\/config\.yaml$/,
      )
      expect(s.depends_on?.redis?.condition).toBe('service_healthy')
      expect(s.depends_on?.postgres?.condition).toBe('service_healthy')
    }
    expect(mounts(a).get('/data')).toBe('gateway-a-data')
    expect(mounts(b).get('/data')).toBe('gateway-b-data')
  })

  it("starts serve with options serve has, as the image's entry point names it", async () => {
    const exec = /exec (node dist\/gateway\/cli\.js serve .*)$/.exec(serveLine(services['gateway-a']))?.[1]
    expect(exec).toBeDefined()
    expect(await cliProblems(exec!)).toEqual([])
    expect(read('Dockerfile')).toMatch(/^ENTRYPOINT \["node", "dist\/gateway\/cli\.js"\]$/m)
  })

  it('mounts the nginx template the cluster tests render, and publishes the port it listens on', () => {
    const nginx = services.nginx
    const mounted = mounts(nginx).get('/etc/nginx/nginx.conf')
    expect(mounted && resolve(root, mounted)).toBe(NGINX_TEMPLATE)
    const listen = /^\s*listen (\d+);$/m.exec(nginxConf)?.[1]
    expect(nginx.ports).toEqual([`8080:${listen}`])
    for (const g of gateways) expect(nginx.depends_on?.[g]?.condition).toBe('service_healthy')
  })

  it('balances over exactly the gateways, on the port they serve on', () => {
    const upstreams = [...nginxConf.matchAll(/^\s*upstream (\S+) \{([^}]*)\}/gm)]
    expect(upstreams.map((u) => u[1])).toEqual(['switchyard', 'switchyard_sticky'])
    for (const [, , block] of upstreams) {
      const servers = [...block.matchAll(/^\s*server (\S+)/gm)].map((m) => m[1])
      expect(servers).toEqual(gateways.map((g) => `${g}:4141`))
    }
    // Model calls round-robin unless they carry a web UI session; everything else stays with one gateway.
    expect(nginxConf).toMatch(/location \/v1\/ \{\s*proxy_pass http:\/\/\$model_pool;/)
    expect(nginxConf).toMatch(/location \/ \{\s*proxy_pass http:\/\/switchyard_sticky;/)
  })

  it('points the gateways at the compose Redis and the env file names every value the config needs', () => {
    const config = parse(read('deploy/switchyard.yaml')) as { redis: { url: string } }
    expect(new URL(config.redis.url).hostname).toBe('redis')
    // Redis wants the password the gateways send, from the same env file.
    expect(config.redis.url).toContain(':${env:REDIS_PASSWORD}@')
    expect(services.redis.env_file).toBe(services['gateway-a'].env_file)
    expect(services.redis.command?.join(' ')).toContain('--requirepass "$$REDIS_PASSWORD"')
    const refs = [...read('deploy/switchyard.yaml').matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1])
    for (const name of [...refs, 'SWITCHYARD_SECRET_KEY', 'SWITCHYARD_ADMIN_TOKEN'])
      expect(exampleEnv).toHaveProperty(name)
    expect(read('.gitignore')).toMatch(/^deploy\/switchyard\.env$/m)
  })

  it("points the gateways at the compose Postgres, whose user, database and password are the URL's", () => {
    const config = parse(read('deploy/switchyard.yaml')) as { database: string }
    const url = new URL(config.database)
    expect(url.protocol).toBe('postgres:')
    expect(url.hostname).toBe('postgres')
    expect(url.port).toBe('5432')
    const pg = services.postgres
    expect(url.username).toBe(pg.environment?.POSTGRES_USER)
    expect(url.pathname).toBe(`/${pg.environment?.POSTGRES_DB}`)
    expect(config.database).toContain(':${env:POSTGRES_PASSWORD}@')
    expect(pg.env_file).toBe(services['gateway-a'].env_file)
    expect(exampleEnv).toHaveProperty('POSTGRES_PASSWORD')
    // Its data outlives the container, and the gateways wait until it accepts connections.
    expect(mounts(pg).get('/var/lib/postgresql/data')).toBe('postgres-data')
    expect(pg.healthcheck?.test.join(' ')).toContain(`pg_isready -U ${pg.environment?.POSTGRES_USER}`)
    // The major version the tests run (Debian's package in CI, test/helpers/postgres-server.ts).
    expect(pg.image).toMatch(/^postgres:15-/)
  })
})

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')
  const stages = dockerfile.split(/^FROM /m).slice(1)
  const final = stages[stages.length - 1]

  it('builds the headless gateway in one stage and runs it from node:20-bookworm-slim in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(stages[0]).toMatch(/RUN npm ci\b/)
    expect(stages[0]).toMatch(/npm run build:headless/)
    expect(stages[0]).toMatch(/npm prune --omit=dev/)
    expect(final).toMatch(/^node:20-bookworm-slim\n/)
    // What serve reads at run time: the package root, the build, production modules, the default config.
    for (const path of ['package.json', 'node_modules', 'dist', 'resources/default-config.yaml']) {
      expect(final).toMatch(new RegExp(`^COPY --from=build /app/${path} \\./${path}$`, 'm'))
    }
    // Nothing of the build stage's sources or dev tools.
    expect(final).not.toMatch(/^COPY (?!--from=build)/m)
    expect(read('package.json')).toContain('"build:headless"')
    const { compilerOptions } = JSON.parse(read('tsconfig.gateway.json')) as { compilerOptions: { outDir: string } }
    expect(final).toContain(`"${compilerOptions.outDir}/cli.js"`)
  })

  it('runs serve with options serve has', async () => {
    const cmd = /^CMD (\[.*\])$/m.exec(final)?.[1]
    expect(await cliProblems(`switchyard ${(JSON.parse(cmd!) as string[]).join(' ')}`)).toEqual([])
  })

  it('runs as a non-root user, with its data in a volume, on the port compose and nginx use', () => {
    const user = [...final.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]).at(-1)
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user)
    expect(final).toMatch(/^VOLUME \/data$/m)
    expect(final).toMatch(/chown node:node \/data/)
    expect(final).toMatch(/^EXPOSE 4141$/m)
    expect(final).toMatch(/PORT=4141/)
    expect(final).toMatch(/SWITCHYARD_DATA_DIR=\/data/)
    expect(final).toMatch(/^CMD \["serve", "--host", "0\.0\.0\.0", "--data-dir", "\/data"\]$/m)
  })

  it('checks its health on /ready', () => {
    const check = /^HEALTHCHECK [\s\S]*?CMD (.*)$/m.exec(final)?.[1]
    expect(check).toContain("/ready'")
    expect(check).toContain('127.0.0.1')
  })

  it('keeps local installs, builds and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n')
    for (const entry of ['node_modules', 'dist', '.git', 'deploy/switchyard.env', '.env'])
      expect(ignored).toContain(entry)
  })
})

describe('deploy/nginx.conf', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-t-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is accepted by nginx -t once rendered as the cluster renders it', async () => {
    const conf = join(dir, 'nginx.conf')
    writeFileSync(
      conf,
      renderNginxConf(nginxConf, {
        upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'],
        listen: '127.0.0.1:4000',
        dir,
        asRoot: process.getuid?.() === 0,
      }),
    )
    const { code, output } = await nginxTest(conf, dir)
    expect(code, output).toBe(0)
  })

  it('streams unbuffered over keep-alive HTTP/1.1, passes the Host through and never resends a call that reached a gateway', () => {
    expect(nginxConf).toMatch(/^\s*proxy_buffering off;$/m)
    expect(nginxConf).toMatch(/^\s*proxy_http_version 1\.1;$/m)
    expect(nginxConf).toMatch(/^\s*proxy_set_header Connection "";$/m)
    expect(nginxConf).toMatch(/^\s*keepalive \d+;$/m)
    expect(nginxConf).toMatch(/^\s*proxy_set_header Host \$http_host;$/m)
    expect(nginxConf).toMatch(/^\s*proxy_next_upstream error;$/m)
    expect(nginxConf).not.toMatch(/^\s*proxy_next_upstream [^;]*(non_idempotent|timeout)/m)
  })
})

describe('deploy/switchyard.yaml', () => {
  let redis: RedisServer
  let pg: PostgresServer
  let gw: TestGateway

  beforeAll(async () => {
    ;[redis, pg] = await Promise.all([startRedis({ password: exampleEnv.REDIS_PASSWORD }), startPostgres()])
    // The example config as is, but for Redis and Postgres: this test's own servers instead of compose's hosts. The
    // test's Postgres has a password of its own: the env file's POSTGRES_PASSWORD carries it, as compose's would.
    const yaml = read('deploy/switchyard.yaml')
      .replace('@redis:6379/', `@127.0.0.1:${redis.port}/`)
      .replace('@postgres:5432/', `@127.0.0.1:${pg.port}/`)
    expect(yaml).toContain(`redis://:\${env:REDIS_PASSWORD}@127.0.0.1:${redis.port}/0`)
    expect(yaml).toContain(`postgres://switchyard:\${env:POSTGRES_PASSWORD}@127.0.0.1:${pg.port}/switchyard`)
    gw = await startGateway(yaml, { ...exampleEnv, POSTGRES_PASSWORD: new URL(pg.url).password })
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([redis?.stop(), pg?.stop()])
  })

  it('is a valid config with client keys, which serve requires to listen beyond loopback', () => {
    const config = parseConfig(read('deploy/switchyard.yaml'), 'yaml', exampleEnv)
    expect(config.resolved.keys?.length).toBeGreaterThan(0)
    expect(config.resolved.server?.maxConnectionsPerIp).toBeGreaterThan(64)
  })

  it('reaches both backends: /health says so', async () => {
    const health = await fetch(`${gw.url}/health`)
    expect(await health.json()).toMatchObject({ status: 'ok', backends: { redis: 'ok', postgres: 'ok' } })
  })

  it('answers /ready without a key, and the model API only with one', async () => {
    const ready = await fetch(`${gw.url}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    const anonymous = await fetch(`${gw.url}/v1/models`)
    expect(anonymous.status).toBe(401)
    const keyed = await fetch(`${gw.url}/v1/models`, {
      headers: { authorization: `Bearer ${exampleEnv.SWITCHYARD_KEY_TEAM}` },
    })
    expect(keyed.status).toBe(200)
  })
})
