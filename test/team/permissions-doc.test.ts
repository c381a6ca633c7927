import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PERMISSION_COVERS, PERMISSIONS, ROLE_PERMISSIONS } from '../../src-shared/contract/permissions.js'
import { ROLES } from '../../src-shared/contract/team.js'

const DOC = join(import.meta.dirname, '../../docs/team.md')

/** The rows of the first table under `## Roles and permissions`, each as its cells. */
function permissionTable(): string[][] {
  const lines = readFileSync(DOC, 'utf8').split('\n')
  const start = lines.indexOf('## Roles and permissions')
  expect(start, 'docs/team.md has a "## Roles and permissions" section').toBeGreaterThan(-1)
  const rows: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break
    if (line.startsWith('|'))
      rows.push(
        line
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      )
    else if (rows.length > 0) break
  }
  return rows
}

describe("docs/team.md's permission table", () => {
  const [header, , ...rows] = permissionTable()

  it('has a column per role, in the contract order', () => {
    expect(header.slice(2)).toEqual(ROLES.map((r) => r[0].toUpperCase() + r.slice(1)))
  })

  it('lists every permission once, in order, with what it covers', () => {
    expect(rows.map((r) => r[0])).toEqual(PERMISSIONS.map((p) => `\`${p}\``))
    for (const [name, covers] of rows) expect(covers, name).toBe(PERMISSION_COVERS[name.slice(1, -1) as never])
  })

  it('marks exactly the permissions ROLE_PERMISSIONS grants each role', () => {
    for (const row of rows) {
      const permission = row[0].slice(1, -1)
      ROLES.forEach((role, i) => {
        const granted = (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission)
        expect(row[2 + i], `${permission} for ${role}`).toBe(granted ? '✓' : '')
      })
    }
  })
})
