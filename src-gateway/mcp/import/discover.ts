import { readFileSync, statSync } from 'node:fs'
import { type Converted, convertServer } from './convert.js'
import { parseJsonc } from './jsonc.js'
import { type Machine, sourceFiles, type ToolId } from './locations.js'

/** ~/.claude.json keeps each project's history too and grows to megabytes; past this it is not read. */
const MAX_FILE_BYTES = 64 * 1024 * 1024

export interface FoundServer {
  tool: ToolId
  file: string
  /** The part of the file it is in, when the file has several lists. */
  section?: string
  /** Its name in that tool. */
  name: string
  converted: Converted
}

export interface Discovery {
  found: FoundServer[]
  /** Files that exist but could not be read as JSON; the others' servers are still listed. */
  unreadable: { file: string; problem: string }[]
}

/** The text of `file`, or undefined when there is none. */
function readIfPresent(file: string): string | undefined {
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`)
    return readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

/** Every MCP server the tools on this machine have configured, each converted or with the reason it cannot be. */
export function discoverServers(machine: Machine): Discovery {
  const out: Discovery = { found: [], unreadable: [] }
  for (const source of sourceFiles(machine)) {
    let data: unknown
    try {
      const text = readIfPresent(source.file)
      if (text === undefined) continue
      data = parseJsonc(text)
    } catch (err) {
      out.unreadable.push({ file: source.file, problem: (err as Error).message })
      continue
    }
    for (const list of source.lists(data)) {
      for (const [name, entry] of Object.entries(list.servers)) {
        const converted = convertServer(entry, { home: machine.home, project: list.project })
        out.found.push({ tool: source.tool, file: source.file, section: list.section, name, converted })
      }
    }
  }
  return out
}
