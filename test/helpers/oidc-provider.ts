import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type ClientMetadata } from 'oidc-provider'

/** A person the test provider knows: the dev login page's "login" is their subject. */
export interface TestPerson {
  email: string
  name: string
  groups: string[]
  emailVerified?: boolean
}

export interface TestProvider {
  /** `http://localhost:PORT`: another site than the gateway's 127.0.0.1 (SameSite is decided by host, not port). */
  issuer: string
  clientId: string
  clientSecret: string
  /** People by subject; edit between sign-ins (a group change at the provider). */
  people: Map<string, TestPerson>
  /** Registers a gateway's callback (the provider refuses any redirect_uri not registered). */
  addRedirectUri(uri: string): void
  /** While down, every request gets 503 (a provider being restarted or failing). */
  setDown(down: boolean): void
  /** Every token the provider's token endpoint answered (ID, access), to search logs and databases for. */
  issued: string[]
  stop(): Promise<void>
}

/**
 * panva's oidc-provider (a certified OpenID provider), in-process on 127.0.0.1 on a free port, with one
 * confidential client and its development login and consent pages. Group claims come with the `profile` scope
 * and, as with many real providers, through userinfo rather than in the ID token (`conformIdTokenClaims`).
 */
export async function startOidcProvider(): Promise<TestProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end()
  let down = false
  const server = createServer((req, res) => (down ? res.writeHead(503).end() : handler(req, res)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const issuer = `http://localhost:${port}`
  const clientId = 'switchyard'
  const clientSecret = 'test-client-secret-0123456789abcdef0123456789'
  const people = new Map<string, TestPerson>()
  const issued: string[] = []
  const client: ClientMetadata & { redirect_uris: string[] } = {
    client_id: clientId,
    client_secret: clientSecret,
    // The gateways' callbacks are added as they start; the provider needs one from the start.
    redirect_uris: ['http://127.0.0.1/unused/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }
  const build = () =>
    new Provider(issuer, {
      clients: [client],
      findAccount: (_ctx, sub) => {
        const p = people.get(sub)
        if (!p) return undefined
        return {
          accountId: sub,
          claims: () => ({
            sub,
            email: p.email,
            email_verified: p.emailVerified ?? true,
            name: p.name,
            groups: p.groups,
          }),
        }
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['test-provider-cookie-key-0123456789'] },
      // Fixed lifetimes (the defaults print a notice each): long enough for any test.
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    })
  let provider = build()
  const track = (p: Provider) => {
    p.on('grant.success', (ctx) => {
      const body = ctx.body as Record<string, unknown>
      for (const k of ['access_token', 'id_token', 'refresh_token'])
        if (typeof body[k] === 'string') issued.push(body[k])
    })
  }
  track(provider)
  handler = provider.callback()
  // The development pages warn once on start; they are what the tests drive.
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider:', err))
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    issued,
    setDown(value) {
      down = value
    },
    addRedirectUri(uri) {
      client.redirect_uris.push(uri)
      provider = build()
      track(provider)
      handler = provider.callback()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
