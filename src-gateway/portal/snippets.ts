import type { PortalItemKind, PortalSnippet } from '../../src-shared/contract/portal.js'

/** Stands where the caller's key goes: the portal never hands out a secret. */
export const KEY_PLACEHOLDER = '<your key>'

/** Single-quoted for a POSIX shell: the model name is config text, so a quote in it must not end the string. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
/** A string literal for Python, JavaScript and TOML alike (JSON's escaping is valid in all three). */
const lit = (s: string) => JSON.stringify(s)

/** A JSON POST with the key placeholder, as curl. */
const curlSnippet = (url: string, body: object): PortalSnippet => ({
  id: 'curl',
  label: 'curl',
  language: 'shell',
  code: [
    `curl ${sh(url)} \\`,
    `  -H ${sh(`Authorization: Bearer ${KEY_PLACEHOLDER}`)} \\`,
    "  -H 'content-type: application/json' \\",
    `  -d ${sh(JSON.stringify(body))}`,
  ].join('\n'),
})

/**
 * The snippets for calling one portal item from `baseUrl` (the gateway's origin as the caller reached it).
 * Routes and models get every client; a prompt endpoint is a Switchyard path, so only curl and the OpenAI SDKs'
 * raw `post` reach it.
 */
export function portalSnippets(
  baseUrl: string,
  kind: PortalItemKind,
  model: string | null,
  promptName?: string,
): PortalSnippet[] {
  const root = baseUrl.replace(/\/+$/, '')
  const v1 = `${root}/v1`
  if (kind === 'prompt') {
    const path = `/prompts/${encodeURIComponent(promptName ?? '')}`
    const body = { variables: {} }
    return [
      curlSnippet(`${v1}${path}/run`, body),
      {
        id: 'openai-python',
        label: 'OpenAI SDK (Python)',
        language: 'python',
        code: [
          'from openai import OpenAI',
          '',
          `client = OpenAI(base_url=${lit(v1)}, api_key=${lit(KEY_PLACEHOLDER)})`,
          `reply = client.post(${lit(`${path}/run`)}, body={"variables": {}}, cast_to=object)`,
          'print(reply["choices"][0]["message"]["content"])',
        ].join('\n'),
      },
      {
        id: 'openai-js',
        label: 'OpenAI SDK (JavaScript)',
        language: 'javascript',
        code: [
          "import OpenAI from 'openai'",
          '',
          `const client = new OpenAI({ baseURL: ${lit(v1)}, apiKey: ${lit(KEY_PLACEHOLDER)} })`,
          `const reply = await client.post(${lit(`${path}/run`)}, { body: { variables: {} } })`,
          'console.log(reply.choices[0].message.content)',
        ].join('\n'),
      },
    ]
  }
  const m = model ?? ''
  const chat = { model: m, messages: [{ role: 'user', content: 'Hello' }] }
  return [
    curlSnippet(`${v1}/chat/completions`, chat),
    {
      id: 'openai-python',
      label: 'OpenAI SDK (Python)',
      language: 'python',
      code: [
        'from openai import OpenAI',
        '',
        `client = OpenAI(base_url=${lit(v1)}, api_key=${lit(KEY_PLACEHOLDER)})`,
        `reply = client.chat.completions.create(model=${lit(m)}, messages=[{"role": "user", "content": "Hello"}])`,
        'print(reply.choices[0].message.content)',
      ].join('\n'),
    },
    {
      id: 'openai-js',
      label: 'OpenAI SDK (JavaScript)',
      language: 'javascript',
      code: [
        "import OpenAI from 'openai'",
        '',
        `const client = new OpenAI({ baseURL: ${lit(v1)}, apiKey: ${lit(KEY_PLACEHOLDER)} })`,
        `const reply = await client.chat.completions.create({ model: ${lit(m)}, messages: [{ role: 'user', content: 'Hello' }] })`,
        'console.log(reply.choices[0].message.content)',
      ].join('\n'),
    },
    {
      id: 'anthropic-python',
      label: 'Anthropic SDK (Python)',
      language: 'python',
      code: [
        'from anthropic import Anthropic',
        '',
        `client = Anthropic(base_url=${lit(root)}, api_key=${lit(KEY_PLACEHOLDER)})`,
        `reply = client.messages.create(model=${lit(m)}, max_tokens=512, messages=[{"role": "user", "content": "Hello"}])`,
        'print(reply.content[0].text)',
      ].join('\n'),
    },
    {
      id: 'anthropic-js',
      label: 'Anthropic SDK (JavaScript)',
      language: 'javascript',
      code: [
        "import Anthropic from '@anthropic-ai/sdk'",
        '',
        `const client = new Anthropic({ baseURL: ${lit(root)}, apiKey: ${lit(KEY_PLACEHOLDER)} })`,
        `const reply = await client.messages.create({ model: ${lit(m)}, max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] })`,
        'console.log(reply.content)',
      ].join('\n'),
    },
    {
      id: 'claude-code',
      label: 'Claude Code',
      language: 'shell',
      code: [
        // Claude Code speaks Anthropic Messages: the base URL has no /v1.
        `export ANTHROPIC_BASE_URL=${sh(root)}`,
        `export ANTHROPIC_AUTH_TOKEN=${sh(KEY_PLACEHOLDER)}`,
        // Any ANTHROPIC_API_KEY value is sent instead of the token.
        'export ANTHROPIC_API_KEY=""',
        `export ANTHROPIC_MODEL=${sh(m)}`,
        'claude',
      ].join('\n'),
    },
    {
      id: 'codex',
      label: 'Codex',
      language: 'toml',
      code: [
        '# ~/.codex/config.toml',
        `model = ${lit(m)}`,
        'model_provider = "switchyard"',
        '',
        '[model_providers.switchyard]',
        'name = "Switchyard"',
        `base_url = ${lit(v1)}`,
        'env_key = "SWITCHYARD_KEY"',
        'wire_api = "responses"',
        '',
        // Codex reads the key from the variable env_key names, never from the file.
        `# then, in the shell: export SWITCHYARD_KEY=${sh(KEY_PLACEHOLDER)} && codex`,
      ].join('\n'),
    },
  ]
}
