import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configBlockProblems } from './config-block.js'
import { copiedFromProblems } from './copied-from.js'
import { type DocsGateway, startDocsGateway } from './docs-gateway.js'
import { jsonBlockProblems } from './json-block.js'
import { type CodeBlock, codeBlocks, docFiles } from './markdown-blocks.js'
import { outputBlockProblems } from './output-block.js'
import { ROOT } from './repo-text.js'
import { expectedStatus, type ShellCommand, shellCommands } from './shell-lines.js'
import { type CommandKind, cliProblems, commandKind, exportProblems, npmProblems, otherProblem } from './shell-rules.js'

// Every fenced block of README.md and docs/**/*.md, checked by the rules of the docs' code-block convention
// (one test per block, or per command of an sh block, named file:line): curl examples run against a real
// gateway, CLI examples against the CLI's --help, configs through the gateway's own validator. A block
// no rule covers fails, so new docs stay tested. The rules, for whoever writes a guide:
// - `<!-- copied-from: PATH -->` on the line before a block: each non-blank line of the block is a line of PATH (a
//   tested file), in order; `${…}` in PATH's line stands for any text.
// - yaml: a config file (top-level sections only), checked by the gateway's validator; targets must name the
//   providers of test/docs/docs-gateway.yaml when the block has none of its own.
// - json: parses, and every field name occurs in the gateway's source.
// - sh, per command: `curl http://127.0.0.1:4141/…` runs against the docs gateway and must answer 2xx (or what a
//   `# → 404`/`# → 4xx` comment says; a JSON comment must match the body), with $SWITCHYARD_ADMIN_TOKEN and
//   $SWITCHYARD_KEY set; `switchyard …`/`npm run serve -- …` options must be in that command's --help; `npm …`
//   scripts must exist; `export NAME=…` must be a variable a test under test/tools/ sets, aimed at the gateway.
// - text: each line occurs in the source or a test (a `…` stands for a value).
// - any other language: rewrite it as one of these.

const blocks = docFiles(ROOT).flatMap((file) => codeBlocks(ROOT, file))
const commands = (block: CodeBlock) => shellCommands(block).map((c) => ({ ...c, kind: commandKind(c.text) }))
const shell = blocks.filter((b) => b.lang === 'sh' && !b.copiedFrom).flatMap(commands)

let gateway: DocsGateway

beforeAll(async () => {
  // The CLI's --help outputs are cached per command: start them now, beside the gateway's start.
  void Promise.all(shell.filter((c) => c.kind === 'cli').map((c) => cliProblems(c.text)))
  gateway = await startDocsGateway()
})

afterAll(async () => {
  await gateway?.close()
})

const at = (block: CodeBlock) => `${block.file}:${block.line}`
const firstLine = (block: CodeBlock) => block.line + 1

async function commandProblems(command: ShellCommand & { kind: CommandKind }): Promise<string[]> {
  switch (command.kind) {
    case 'cli':
      return cliProblems(command.text)
    case 'npm':
      return npmProblems(command.text)
    case 'export':
      return exportProblems(command.text)
    case 'other':
      return [otherProblem(command)]
    case 'curl': {
      const { status, body } = await gateway.curl(command.text)
      const expected = expectedStatus(command.comment) ?? /^2\d\d$/
      if (!expected.test(String(status)))
        return [
          `answered ${status} (expected ${expected.source.slice(1, -1).replaceAll('\\d', 'x')}): ${body.slice(0, 500)}`,
        ]
      // A comment that is JSON shows what the command prints: it must be what the gateway answers.
      const shown = parseJson(command.comment)
      if (shown !== undefined) expect(parseJson(body), 'the body the comment shows').toMatchObject(shown as object)
      return []
    }
  }
}

function parseJson(text: string): unknown {
  try {
    const value = JSON.parse(text)
    return typeof value === 'object' && value !== null ? value : undefined
  } catch {
    return undefined
  }
}

describe('code blocks of README.md and docs/', { timeout: 60_000 }, () => {
  it('include the Ollama curl examples (/api/chat, /api/embed) that curl sends form-encoded', () => {
    const curls = shell.filter((c) => c.kind === 'curl').map((c) => c.text)
    expect(curls.some((c) => c.includes('/api/chat') && !c.includes('content-type'))).toBe(true)
    expect(curls.some((c) => c.includes('/api/embed') && !c.includes('content-type'))).toBe(true)
  })

  for (const block of blocks) {
    if (block.copiedFrom) {
      const path = block.copiedFrom
      it(`${at(block)} ${block.lang} copied from ${path}`, () => {
        expect(copiedFromProblems({ ...block, copiedFrom: path })).toEqual([])
      })
    } else if (block.lang === 'yaml') {
      it(`${at(block)} yaml is a valid config`, () => {
        expect(configBlockProblems(block.lines.join('\n'))).toEqual([])
      })
    } else if (block.lang === 'json') {
      it(`${at(block)} json parses and names real fields`, () => {
        expect(jsonBlockProblems(block.lines.join('\n'))).toEqual([])
      })
    } else if (block.lang === 'text') {
      it(`${at(block)} text is real output`, () => {
        expect(outputBlockProblems(block.lines, firstLine(block))).toEqual([])
      })
    } else if (block.lang === 'sh') {
      for (const command of commands(block)) {
        it(`${block.file}:${command.line} ${command.kind}: ${command.text.slice(0, 80)}`, async () => {
          expect(await commandProblems(command)).toEqual([])
        })
      }
    } else {
      it(`${at(block)} ${block.lang || '(no language)'} is a kind of block the docs test can check`, () => {
        expect.fail(
          `${at(block)}: a \`${block.lang || 'plain'}\` block without <!-- copied-from: … -->: write it as sh (curl, switchyard, npm), yaml, json or text, or copy it from a tested file`,
        )
      })
    }
  }
})
