import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../src-gateway/core/errors.js'
import type { Principal } from '../../src-gateway/team/principal.js'
import { requestWorkspace } from '../../src-gateway/team/tenancy.js'

// requestWorkspace (issue 21, board decision 1) over HTTP: a route answers the workspace a request acts in, for a
// principal the test names in a header, so every answer (the workspace, 400 invalid_workspace, 403
// workspace_forbidden) is what a client of a real route sees.

const CFG = { workspaces: { a: { name: 'A' }, b: { name: 'B' }, c: { name: 'C' } } }
const PRINCIPALS: Record<string, Principal> = {
  admin: { kind: 'admin-token', id: 'admin', name: 'admin', role: 'owner', workspaces: 'all', via: 'token' },
  // Listed out of order, and naming a workspace the config no longer has: the first sorted configured one is theirs.
  member: { kind: 'person', id: 'p1', name: 'M', role: 'developer', workspaces: ['c', 'gone', 'b'], via: 'session' },
  nowhere: { kind: 'person', id: 'p2', name: 'N', role: 'viewer', workspaces: ['gone'], via: 'session' },
}

describe('requestWorkspace', () => {
  let app: FastifyInstance
  let url = ''

  beforeAll(async () => {
    app = Fastify()
    app.addHook('onRequest', async (req) => {
      req.principal = PRINCIPALS[String(req.headers['x-test-principal'])]
    })
    app.post<{ Body: { workspace?: string } }>('/ws', async (req) => ({
      workspace: requestWorkspace(req, CFG, req.body?.workspace),
    }))
    app.setErrorHandler((err, _req, reply) => {
      if (!(err instanceof GatewayError)) throw err
      return reply.code(err.status).send({ code: err.opts.code, param: err.opts.param, message: err.message })
    })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(() => app.close())

  const ask = async (principal: string, headers: Record<string, string> = {}, body: object = {}) => {
    const res = await fetch(`${url}/ws`, {
      method: 'POST',
      headers: { 'x-test-principal': principal, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as { workspace?: string; code?: string; param?: string } }
  }

  it('without a header: a member’s first configured workspace, `default` for an admin', async () => {
    expect(await ask('member')).toEqual({ status: 200, body: { workspace: 'b' } })
    expect(await ask('admin')).toEqual({ status: 200, body: { workspace: 'default' } })
    expect((await ask('nowhere')).body.code).toBe('workspace_forbidden')
    expect((await ask('nowhere')).status).toBe(403)
  })

  it('takes the header’s workspace when it is one of the principal’s', async () => {
    expect((await ask('member', { 'x-switchyard-workspace': 'c' })).body.workspace).toBe('c')
    expect((await ask('admin', { 'x-switchyard-workspace': 'a' })).body.workspace).toBe('a')
    expect((await ask('admin', { 'x-switchyard-workspace': 'default' })).body.workspace).toBe('default')
  })

  it('refuses a malformed, oversized or unconfigured id with 400 invalid_workspace', async () => {
    for (const bad of ['B', '../a', 'a b', 'x'.repeat(65), 'gone', 'nope']) {
      const { status, body } = await ask('admin', { 'x-switchyard-workspace': bad })
      expect([bad, status, body.code, body.param]).toEqual([bad, 400, 'invalid_workspace', 'x-switchyard-workspace'])
    }
    // Neither is a member's own listed-but-deleted workspace theirs to act in.
    expect((await ask('member', { 'x-switchyard-workspace': 'gone' })).status).toBe(400)
  })

  it('refuses another’s workspace with 403 workspace_forbidden', async () => {
    for (const other of ['a', 'default']) {
      const { status, body } = await ask('member', { 'x-switchyard-workspace': other })
      expect([status, body.code]).toEqual([403, 'workspace_forbidden'])
    }
  })

  it('lets a body’s workspace win over the header, with the same checks', async () => {
    expect((await ask('member', { 'x-switchyard-workspace': 'b' }, { workspace: 'c' })).body.workspace).toBe('c')
    const theirs = await ask('member', { 'x-switchyard-workspace': 'b' }, { workspace: 'a' })
    expect([theirs.status, theirs.body.code]).toEqual([403, 'workspace_forbidden'])
    const bad = await ask('admin', {}, { workspace: 'nope' })
    expect([bad.status, bad.body.code, bad.body.param]).toEqual([400, 'invalid_workspace', 'workspace'])
  })
})
