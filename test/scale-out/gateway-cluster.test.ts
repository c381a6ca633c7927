import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayCluster, NGINX_TEMPLATE, renderNginxConf, startCluster } from '../helpers/gateway-cluster.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

describe('renderNginxConf', () => {
  const template = readFileSync(NGINX_TEMPLATE, 'utf8')
  const rendered = renderNginxConf(template, {
    upstreams: ['127.0.0.1:4001', '127.0.0.1:4002', '127.0.0.1:4003'],
    listen: '127.0.0.1:9000',
    dir: '/tmp/lb',
    asRoot: false,
  })

  it('puts in the upstreams with the template server parameters, the listen address and the paths', () => {
    const params = /server gateway-a:4141(.*);/.exec(template)?.[1]
    expect(params).toBeDefined()
    for (const port of [4001, 4002, 4003]) expect(rendered).toContain(`server 127.0.0.1:${port}${params};`)
    expect(rendered).not.toMatch(/gateway-[ab]/)
    expect(rendered).toMatch(/^\s*listen 127\.0\.0\.1:9000;$/m)
    expect(rendered).toMatch(/^pid \/tmp\/lb\/nginx\.pid;$/m)
    expect(rendered).not.toMatch(/\/dev\/std(out|err)/)
    expect(rendered).not.toMatch(/^\s*user /m)
  })

  it('changes no other line of the template: the balancer under test is the one compose runs', () => {
    const substituted = /^\s*(server \S+:\d+ |listen |pid |error_log |access_log |user |\w+_temp_path )/
    const kept = (text: string) => text.split('\n').filter((l) => !substituted.test(l))
    expect(kept(rendered)).toEqual(kept(template))
  })

  it('runs its workers as root only when nginx starts as root', () => {
    const asRoot = renderNginxConf(template, {
      upstreams: ['127.0.0.1:1'],
      listen: '127.0.0.1:2',
      dir: '/x',
      asRoot: true,
    })
    expect(asRoot).toMatch(/^user root;$/m)
  })

  it('refuses a template it could not follow', () => {
    const opts = { upstreams: ['127.0.0.1:1'], listen: '127.0.0.1:2', dir: '/x', asRoot: false }
    expect(() => renderNginxConf(template.replace(/^\s*server gateway-.*$/gm, ''), opts)).toThrow(/upstream/)
    expect(() => renderNginxConf(template.replace(/^\s*listen .*$/m, ''), opts)).toThrow(/listen/)
  })
})

describe('startCluster', () => {
  let mock: RunningMock
  let cluster: GatewayCluster

  beforeAll(async () => {
    // Paced chunks, so a stream that nginx buffered would arrive in one piece at the end.
    mock = await startMockUpstream(['--chunks', '6', '--chunk-interval-ms', '150'])
    cluster = await startCluster({
      instances: 2,
      lb: true,
      configYaml: `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`,
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await mock?.stop()
  })

  it('starts each instance on its own port and data folder, all opening /admin with the one admin token', async () => {
    expect(new Set(cluster.urls).size).toBe(2)
    expect(new Set(cluster.instances.map((i) => i.dataDir)).size).toBe(2)
    for (const [i, url] of cluster.urls.entries()) {
      expect(cluster.instances[i].adminToken).toBe(cluster.adminToken)
      const res = await fetch(`${url}/admin/v1/logs?limit=1`, { headers: cluster.adminHeaders(i) })
      expect(res.status).toBe(200)
    }
  })

  it('balances calls round-robin through nginx, which the Host check admits', async () => {
    const client = new OpenAI({ baseURL: `${cluster.lbUrl}/v1`, apiKey: cluster.adminToken })
    for (let i = 0; i < 6; i++) {
      const answer = await client.chat.completions.create({
        model: 'mock/mock-gpt',
        messages: [{ role: 'user', content: `hello ${i}` }],
      })
      expect(answer.choices[0].message.content).toBe(`Echo: hello ${i}`)
    }
    // Each instance logged its own share, in its own SQLite (rows are flushed every 200 ms).
    for (const url of cluster.urls) {
      await expect
        .poll(
          async () => {
            const res = await fetch(`${url}/admin/v1/logs?limit=10`, { headers: cluster.adminHeaders() })
            return ((await res.json()) as { items: unknown[] }).items.length
          },
          { timeout: 5000 },
        )
        .toBe(3)
    }
  })

  it('streams server-sent events through nginx as the gateway writes them', async () => {
    const client = new OpenAI({ baseURL: `${cluster.lbUrl}/v1`, apiKey: cluster.adminToken })
    const stream = await client.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'abcdef' }],
      stream: true,
    })
    const arrivals: number[] = []
    let text = ''
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content
      if (piece) {
        arrivals.push(Date.now())
        text += piece
      }
    }
    expect(text).toBe('Echo: abcdef')
    // Six pieces 150 ms apart: buffered, they would all land within a few milliseconds.
    expect(arrivals.length).toBe(6)
    expect(arrivals[5] - arrivals[0]).toBeGreaterThan(500)
  })

  it('keeps a web UI sign-in on one gateway, for the UI and for its model calls', async () => {
    const login = await fetch(`${cluster.lbUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: cluster.adminToken }),
    })
    expect(login.status).toBe(204)
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    expect(cookie).toMatch(/^switchyard_session=./)
    // Sessions live in the gateway that opened them: round-robin would sign every other call out.
    for (let i = 0; i < 4; i++) {
      const session = await fetch(`${cluster.lbUrl}/auth/session`, { headers: { cookie } })
      expect(await session.json()).toEqual({ mode: 'solo', authenticated: true })
      const models = await fetch(`${cluster.lbUrl}/v1/models`, {
        headers: { cookie, 'x-switchyard-csrf': '1' },
      })
      expect(models.status).toBe(200)
    }
  })

  it('refuses a foreign Host through nginx as it does directly', async () => {
    // fetch will not send a Host of its own choosing; node:http does, as a rebinding page's browser would.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${cluster.lbUrl}/health`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })

  it('kills one instance and leaves the other serving', async () => {
    await cluster.kill(1)
    await expect(fetch(`${cluster.urls[1]}/health`)).rejects.toThrow()
    expect((await fetch(`${cluster.urls[0]}/health`)).status).toBe(200)
  })
})
