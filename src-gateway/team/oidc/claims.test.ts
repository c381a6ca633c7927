import { describe, expect, it } from 'vitest'
import type { OidcConfig } from '../../config/oidc-schema.js'
import { claimValues, mapClaims } from './claims.js'

const cfg: Pick<OidcConfig, 'roles' | 'workspaces'> = {
  roles: { owners: 'owner', admins: 'admin', devs: 'developer', readers: 'viewer' },
  workspaces: { ml: 'ml', web: ['web', 'shared'] },
}

describe('mapClaims', () => {
  it('gives the most powerful mapped role, whatever the order of the values', () => {
    expect(mapClaims(cfg, ['readers', 'devs'])?.role).toBe('developer')
    expect(mapClaims(cfg, ['devs', 'owners', 'readers'])?.role).toBe('owner')
  })

  it('gives every mapped workspace once, sorted', () => {
    expect(mapClaims(cfg, ['devs', 'web', 'ml', 'web'])?.workspaces).toEqual(['ml', 'shared', 'web'])
  })

  it('refuses a person no role matches unless a default role is set', () => {
    expect(mapClaims(cfg, ['ml', 'others'])).toBeUndefined()
    expect(mapClaims({ ...cfg, defaultRole: 'viewer' }, ['ml'])).toEqual({ role: 'viewer', workspaces: ['ml'] })
  })

  it('puts everyone in the default workspace when no workspace mapping exists, and no one when one does', () => {
    expect(mapClaims({ roles: cfg.roles }, ['devs'])?.workspaces).toEqual(['default'])
    expect(mapClaims(cfg, ['devs'])?.workspaces).toEqual([])
  })

  it('never reads inherited properties for claim values such as __proto__ or constructor', () => {
    expect(mapClaims(cfg, ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])).toBeUndefined()
    expect(mapClaims({ ...cfg, defaultRole: 'viewer' }, ['constructor'])?.workspaces).toEqual([])
  })
})

describe('claimValues', () => {
  it('reads a list, a single string, and ignores anything else', () => {
    expect(claimValues({ groups: ['a', 1, 'b', null] }, 'groups')).toEqual(['a', 'b'])
    expect(claimValues({ groups: 'a' }, 'groups')).toEqual(['a'])
    expect(claimValues({ groups: { a: true } }, 'groups')).toEqual([])
    expect(claimValues({}, 'groups')).toEqual([])
  })

  it('reads at most 1000 values', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `g${i}`)
    expect(claimValues({ groups: many }, 'groups')).toHaveLength(1000)
  })
})
