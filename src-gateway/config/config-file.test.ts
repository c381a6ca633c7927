import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { patchYaml } from './config-file.js'

const BASE = `# top comment
providers:
  # the local one
  local: { type: ollama }     # keep me
  old: { type: openai }
logs: { maxAgeDays: 30 }
`

describe('patchYaml', () => {
  it('changes only what differs and keeps comments elsewhere', () => {
    const out = patchYaml(BASE, {
      providers: { local: { type: 'ollama' }, fresh: { type: 'llamacpp' } },
      logs: { maxAgeDays: 7 },
      routes: { r: { targets: [{ model: 'local/x' }] } },
    })
    expect(out).toContain('# top comment')
    expect(out).toContain('# the local one')
    expect(out).toContain('# keep me')
    expect(parse(out)).toEqual({
      providers: { local: { type: 'ollama' }, fresh: { type: 'llamacpp' } },
      logs: { maxAgeDays: 7 },
      routes: { r: { targets: [{ model: 'local/x' }] } },
    })
  })

  it('patches mcp.servers server by server, keeping the comments on the others', () => {
    const base = `mcp:
  servers:
    # my notes server
    notes: { command: notes-mcp } # keep me
    old: { url: "https://old.example/mcp" }
`
    const out = patchYaml(base, {
      mcp: { servers: { notes: { command: 'notes-mcp' }, fresh: { command: 'npx', args: ['fresh'] } } },
    })
    expect(out).toContain('# my notes server')
    expect(out).toContain('# keep me')
    expect(parse(out)).toEqual({
      mcp: { servers: { notes: { command: 'notes-mcp' }, fresh: { command: 'npx', args: ['fresh'] } } },
    })
  })

  it('rewrites a file that is not a YAML map', () => {
    expect(parse(patchYaml('- a\n- b\n', { logs: { storeBodies: false } }))).toEqual({ logs: { storeBodies: false } })
  })
})
