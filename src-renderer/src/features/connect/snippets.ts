/**
 * Copy-paste settings that point each tool at this gateway, following docs/integrations.md: which
 * variables, and whether the URL carries `/v1` (OpenAI-family clients) or not (Anthropic-family ones).
 * The key is always a reference to `$SWITCHYARD_KEY`, never a secret value.
 */
export interface SnippetBlock {
  title: string
  code: string
}

export interface ToolSnippets {
  id: string
  name: string
  speaks: string
  blocks: SnippetBlock[]
  note?: string
  warning?: string
}

export const KEY_VAR = 'SWITCHYARD_KEY'

export function buildSnippets(baseUrl: string, model: string): ToolSnippets[] {
  const root = baseUrl.replace(/\/+$/, '')
  const v1 = `${root}/v1`
  const port = new URL(root).port || '80'
  const json = (o: unknown) => JSON.stringify(o)
  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      speaks: 'Anthropic Messages (no /v1 in the URL)',
      blocks: [
        {
          title: 'Shell (bash/zsh)',
          code: [
            `export ANTHROPIC_BASE_URL=${root}`,
            `export ANTHROPIC_AUTH_TOKEN=$${KEY_VAR}`,
            'export ANTHROPIC_API_KEY=""',
            `export ANTHROPIC_MODEL=${model}`,
            `export ANTHROPIC_DEFAULT_HAIKU_MODEL=${model}`,
            'export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
            'claude',
          ].join('\n'),
        },
        {
          title: '~/.claude/settings.json',
          code: JSON.stringify(
            {
              env: {
                ANTHROPIC_BASE_URL: root,
                // settings.json does not expand variables: the value itself goes here.
                ANTHROPIC_AUTH_TOKEN: `<your ${KEY_VAR} value>`,
                ANTHROPIC_MODEL: model,
                ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
              },
            },
            null,
            2,
          ),
        },
      ],
      note: 'ANTHROPIC_API_KEY must be empty: any value there is sent instead of the token.',
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      speaks: 'OpenAI Responses (/v1)',
      blocks: [
        {
          title: '~/.codex/config.toml',
          code: [
            `model = "${model}"`,
            'model_provider = "switchyard"',
            '',
            '[model_providers.switchyard]',
            'name = "Switchyard"',
            `base_url = "${v1}"`,
            `env_key = "${KEY_VAR}"`,
            'wire_api = "responses"',
          ].join('\n'),
        },
        { title: 'Shell', code: `export ${KEY_VAR}=any-value-while-no-keys-are-configured\ncodex` },
      ],
    },
    {
      id: 'aider',
      name: 'Aider',
      speaks: 'OpenAI chat (/v1)',
      blocks: [
        {
          title: 'Shell',
          code: [
            `export OPENAI_API_BASE=${v1}`,
            `export OPENAI_API_KEY=$${KEY_VAR}`,
            `aider --model openai/${model}`,
          ].join('\n'),
        },
      ],
      note: 'The openai/ prefix tells Aider which client to use; the rest is sent as the model name.',
    },
    {
      id: 'continue',
      name: 'Continue',
      speaks: 'OpenAI chat (/v1)',
      blocks: [
        {
          title: '~/.continue/config.yaml',
          code: [
            'models:',
            '  - name: Switchyard',
            '    provider: openai',
            `    model: ${model}`,
            `    apiBase: ${v1}`,
            `    apiKey: \${{ secrets.${KEY_VAR} }}`,
            '    roles: [chat, edit, apply]',
          ].join('\n'),
        },
      ],
    },
    {
      id: 'cline',
      name: 'Cline / Roo Code',
      speaks: 'OpenAI chat (/v1)',
      blocks: [
        {
          title: 'Settings → API Provider',
          code: [
            'API Provider: OpenAI Compatible',
            `Base URL:     ${v1}`,
            `API Key:      (your ${KEY_VAR} value)`,
            `Model ID:     ${model}`,
          ].join('\n'),
        },
      ],
    },
    {
      id: 'cursor',
      name: 'Cursor',
      speaks: 'OpenAI chat (/v1)',
      blocks: [
        {
          title: 'Settings → Models',
          code: [
            `OpenAI API Key:            (your ${KEY_VAR} value)`,
            'Override OpenAI Base URL:  https://<your-tunnel-host>/v1',
            `Custom model:              ${model}`,
          ].join('\n'),
        },
        { title: 'Tunnel (one option)', code: `cloudflared tunnel --url ${root}` },
      ],
      warning:
        'Cursor sends requests from its own servers, so 127.0.0.1 never works: it needs a public HTTPS URL (a tunnel) and a gateway key.',
    },
    {
      id: 'open-webui',
      name: 'Open WebUI',
      speaks: 'OpenAI chat (/v1) or Ollama (no /v1)',
      blocks: [
        {
          title: 'Docker (host network, so the container reaches 127.0.0.1)',
          code: [
            'docker run -d --network=host \\',
            `  -e OPENAI_API_BASE_URL=${v1} \\`,
            `  -e OPENAI_API_KEY=$${KEY_VAR} \\`,
            `  -e OLLAMA_BASE_URL=${root} \\`,
            '  ghcr.io/open-webui/open-webui:main',
          ].join('\n'),
        },
      ],
      note: `A gateway bound to 127.0.0.1 is unreachable from a bridged container; with --network=host it is (port ${port}).`,
    },
    {
      id: 'curl',
      name: 'curl',
      speaks: 'OpenAI chat (/v1)',
      blocks: [
        {
          title: 'Shell',
          code: [
            `curl ${v1}/chat/completions \\`,
            `  -H "Authorization: Bearer $${KEY_VAR}" \\`,
            "  -H 'content-type: application/json' \\",
            `  -d '${json({ model, messages: [{ role: 'user', content: 'Hello' }] })}'`,
          ].join('\n'),
        },
      ],
    },
    {
      id: 'openai-sdk',
      name: 'OpenAI SDK',
      speaks: 'OpenAI (/v1)',
      blocks: [
        { title: 'Environment', code: `export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=$${KEY_VAR}` },
        {
          title: 'Python',
          code: [
            'import os',
            'from openai import OpenAI',
            '',
            `client = OpenAI(base_url="${v1}", api_key=os.environ["${KEY_VAR}"])`,
            `reply = client.chat.completions.create(model="${model}", messages=[{"role": "user", "content": "Hello"}])`,
            'print(reply.choices[0].message.content)',
          ].join('\n'),
        },
        {
          title: 'JavaScript / TypeScript',
          code: [
            "import OpenAI from 'openai'",
            '',
            `const client = new OpenAI({ baseURL: '${v1}', apiKey: process.env.${KEY_VAR} })`,
            `const reply = await client.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'Hello' }] })`,
            'console.log(reply.choices[0].message.content)',
          ].join('\n'),
        },
      ],
    },
    {
      id: 'anthropic-sdk',
      name: 'Anthropic SDK',
      speaks: 'Anthropic Messages (no /v1 in the URL)',
      blocks: [
        { title: 'Environment', code: `export ANTHROPIC_BASE_URL=${root}\nexport ANTHROPIC_API_KEY=$${KEY_VAR}` },
        {
          title: 'Python',
          code: [
            'import os',
            'from anthropic import Anthropic',
            '',
            `client = Anthropic(base_url="${root}", api_key=os.environ["${KEY_VAR}"])`,
            `reply = client.messages.create(model="${model}", max_tokens=512, messages=[{"role": "user", "content": "Hello"}])`,
            'print(reply.content[0].text)',
          ].join('\n'),
        },
        {
          title: 'TypeScript',
          code: [
            "import Anthropic from '@anthropic-ai/sdk'",
            '',
            `const client = new Anthropic({ baseURL: '${root}', apiKey: process.env.${KEY_VAR} })`,
            `const reply = await client.messages.create({ model: '${model}', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] })`,
            'console.log(reply.content)',
          ].join('\n'),
        },
      ],
    },
  ]
}
