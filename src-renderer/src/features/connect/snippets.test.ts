import { describe, expect, it } from 'vitest'
import { buildSnippets } from './snippets'

const tools = buildSnippets('http://127.0.0.1:4141/', 'fast')
const code = (id: string) =>
  tools
    .find((t) => t.id === id)!
    .blocks.map((b) => b.code)
    .join('\n')

describe('buildSnippets', () => {
  it('gives Anthropic-family clients the bare root and OpenAI-family clients /v1', () => {
    expect(code('claude-code')).toContain('export ANTHROPIC_BASE_URL=http://127.0.0.1:4141\n')
    expect(code('claude-code')).toContain('export ANTHROPIC_AUTH_TOKEN=$SWITCHYARD_KEY')
    expect(code('claude-code')).toContain('export ANTHROPIC_API_KEY=""')
    expect(code('anthropic-sdk')).toContain("baseURL: 'http://127.0.0.1:4141'")
    expect(code('codex')).toContain('base_url = "http://127.0.0.1:4141/v1"')
    expect(code('codex')).toContain('wire_api = "responses"')
    expect(code('aider')).toContain('export OPENAI_API_BASE=http://127.0.0.1:4141/v1')
    expect(code('aider')).toContain('aider --model openai/fast')
    expect(code('continue')).toContain('apiBase: http://127.0.0.1:4141/v1')
    expect(code('open-webui')).toContain('OPENAI_API_BASE_URL=http://127.0.0.1:4141/v1')
    expect(code('open-webui')).toContain('OLLAMA_BASE_URL=http://127.0.0.1:4141 ')
    expect(code('openai-sdk')).toContain('export OPENAI_BASE_URL=http://127.0.0.1:4141/v1')
    expect(code('curl')).toContain('curl http://127.0.0.1:4141/v1/chat/completions')
  })

  it('covers every tool the Connect page promises, and warns that Cursor needs a public URL', () => {
    expect(tools.map((t) => t.name)).toEqual([
      'Claude Code',
      'Codex CLI',
      'Aider',
      'Continue',
      'Cline / Roo Code',
      'Cursor',
      'Open WebUI',
      'curl',
      'OpenAI SDK',
      'Anthropic SDK',
    ])
    expect(tools.find((t) => t.id === 'cursor')?.warning).toMatch(/public HTTPS URL/)
  })

  it('never puts a secret value in a snippet', () => {
    expect(tools.flatMap((t) => t.blocks.map((b) => b.code)).join('\n')).not.toMatch(/sk-[A-Za-z0-9]/)
  })
})
