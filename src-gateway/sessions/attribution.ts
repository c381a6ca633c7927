import type { LogEvent } from '../core/log-event.js'
import type { GatewayCall } from '../pipeline/call.js'

/*
 * Which coding session and project a call belongs to, and which tool made it, from what the agent sends
 * (recorded from the pinned Claude Code 2.1.331 and Codex 0.169.0; docs/sessions.md lists them per tool).
 * The caller's own `x-switchyard-session` / `x-switchyard-project` win: a user can always regroup a tool's
 * calls. Read once per call from a few headers (and, for an Anthropic call without Claude Code's header, one
 * small string in the body): nothing here runs per chunk.
 */

/** Longest session id and project name kept: past these a value is not an id a tool made, and is dropped. */
const MAX_SESSION_CHARS = 128
const MAX_PROJECT_CHARS = 200
/** Longest person label kept (SECURITY.md): a user name, an email or an account id, never a body's worth. */
const MAX_PERSON_CHARS = 128

/**
 * Characters a name shown in the UI and written to the log must not hold: controls (a terminal escape, a
 * newline in an export), line separators, and bidi overrides (which make a name read as another one).
 */
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u
const NON_ASCII = /[^\x20-\x7e]/

/** Codex's session headers, newest first: 0.169 sends `session-id`; older versions `session_id` / `conversation_id`. */
const CODEX_SESSION_HEADERS = ['session-id', 'session_id', 'conversation_id'] as const

/** Claude Code before 2.x: `user_<hash>_account_<uuid>_session_<uuid>`. */
const LEGACY_CLAUDE_SESSION = /_session_([0-9a-fA-F-]{8,64})$/

/**
 * A client's value as the log keeps it: trimmed, UTF-8 decoded (Node reads header bytes as Latin-1), or
 * undefined when empty, too long or unprintable. Client values are never cut: two long ids sharing a prefix
 * must not become one session.
 */
function bounded(value: unknown, max: number, fromHeader: boolean): string | undefined {
  if (typeof value !== 'string') return undefined
  let text = value.trim()
  if (fromHeader && NON_ASCII.test(text)) text = Buffer.from(text, 'latin1').toString('utf8')
  if (text.length === 0 || text.length > max || UNPRINTABLE.test(text) || text.includes('\ufffd')) return undefined
  return text
}

function header(call: GatewayCall, name: string): string | undefined {
  const value = call.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Claude Code's session in `metadata.user_id`: a JSON string `{device_id, account_uuid, session_id}`, or the older form. */
function claudeCodeSession(body: Record<string, unknown>): unknown {
  const metadata = body.metadata
  const userId =
    typeof metadata === 'object' && metadata !== null ? (metadata as { user_id?: unknown }).user_id : undefined
  if (typeof userId !== 'string' || userId.length > 1024) return undefined
  if (userId.startsWith('{')) {
    try {
      return (JSON.parse(userId) as { session_id?: unknown }).session_id
    } catch {
      return undefined
    }
  }
  return LEGACY_CLAUDE_SESSION.exec(userId)?.[1]
}

/**
 * The account in Claude Code's `metadata.user_id`: `account_uuid` of its JSON form (the device id when signed in
 * with an API key, which has no account), or the `account_<uuid>` part of the older form. Never the session part:
 * one person has many sessions.
 */
const LEGACY_CLAUDE_ACCOUNT = /_account_([0-9a-fA-F-]{8,64})_session_/

function claudeCodeAccount(userId: string): string | undefined {
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as { account_uuid?: unknown; device_id?: unknown }
      const account =
        typeof parsed.account_uuid === 'string' && parsed.account_uuid !== '' ? parsed.account_uuid : undefined
      const device = typeof parsed.device_id === 'string' ? parsed.device_id : undefined
      return account ?? device
    } catch {
      return undefined
    }
  }
  return LEGACY_CLAUDE_ACCOUNT.exec(userId)?.[1]
}

/** The end user a body names: OpenAI's and the Responses API's `user`, or Anthropic's `metadata.user_id`. */
function bodyUser(call: GatewayCall): string | undefined {
  const { body } = call
  if (call.dialect === 'anthropic') {
    const metadata = body.metadata
    const userId =
      typeof metadata === 'object' && metadata !== null ? (metadata as { user_id?: unknown }).user_id : undefined
    if (typeof userId !== 'string' || userId.length > 1024) return undefined
    // Claude Code's id holds its session too: the account is the person.
    if (userId.startsWith('{') || LEGACY_CLAUDE_ACCOUNT.test(userId)) return claudeCodeAccount(userId)
    return userId
  }
  return typeof body.user === 'string' ? body.user : undefined
}

/**
 * Who a call is for, in the order the sources are trusted: the caller's `x-switchyard-user` (a shared key's
 * user can always name themselves), the body's user field, then the signed-in member who made it from the UI
 * (the Playground, a comparison, a replay, a prompt run), whom the gateway itself knows.
 */
function personOf(call: GatewayCall): string | undefined {
  const own = bounded(header(call, 'x-switchyard-user'), MAX_PERSON_CHARS, true)
  if (own) return own
  const user = bounded(bodyUser(call), MAX_PERSON_CHARS, false)
  if (user) return user
  const { identity } = call
  return identity.kind === 'admin' || identity.kind === 'system'
    ? bounded(identity.person, MAX_PERSON_CHARS, false)
    : undefined
}

/** The session a call's agent names, in the order the sources are trusted. */
function sessionOf(call: GatewayCall): string | undefined {
  const own = bounded(header(call, 'x-switchyard-session'), MAX_SESSION_CHARS, true)
  if (own) return own
  const claude = bounded(header(call, 'x-claude-code-session-id'), MAX_SESSION_CHARS, true)
  if (claude) return claude
  if (call.dialect === 'anthropic') {
    const fromBody = bounded(claudeCodeSession(call.body), MAX_SESSION_CHARS, false)
    if (fromBody) return fromBody
  }
  for (const name of CODEX_SESSION_HEADERS) {
    const codex = bounded(header(call, name), MAX_SESSION_CHARS, true)
    if (codex) return codex
  }
  return undefined
}

/**
 * The product a user-agent starts with (`OpenAI/Python 1.99` → `openai`), when it looks like one: a letter,
 * then at most 39 name characters, then a version, a comment or the end.
 */
const PRODUCT = /^([A-Za-z][\w.-]{0,39})(?:[/\s]|$)/

/** The calling tool: Claude Code and Codex by the names their user-agents carry, any other by its product name. */
function toolOf(call: GatewayCall): string | undefined {
  const ua = header(call, 'user-agent')
  if (!ua) return undefined
  if (ua.startsWith('claude-cli/')) return 'claude-code'
  // codex_exec, codex_cli_rs, codex_vscode…: the "originator" Codex names itself by.
  if (ua.startsWith('codex_')) return 'codex'
  // Every browser says `Mozilla/5.0`: the web UI's Playground or a page, not a tool anyone would know it by.
  if (ua.startsWith('Mozilla/')) return undefined
  return PRODUCT.exec(ua)?.[1].toLowerCase()
}

/** Where Claude Code's system text states its working folder, up to the end of that line. */
const CLAUDE_CWD = ' - Primary working directory: '

/** Where Codex's `<environment_context>` item states its working folder. */
const CODEX_CWD = /<cwd>([^<\n]{1,4096})<\/cwd>/

/** Longest text read for a working folder: Claude Code's environment block is a few hundred characters. */
const MAX_CONTEXT_TEXT = 64 * 1024

function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content]
  if (!Array.isArray(content)) return []
  const texts: string[] = []
  for (const part of content) {
    const text = (part as { text?: unknown } | null)?.text
    if (typeof text === 'string') texts.push(text)
  }
  return texts
}

/** Claude Code's working folder: in a `system`-role message among `messages` (2.1.x), or in `system`. */
function claudeCodeCwd(body: Record<string, unknown>): string | undefined {
  const sources: unknown[] = [body.system]
  if (Array.isArray(body.messages)) {
    for (const m of body.messages as { role?: unknown; content?: unknown }[]) {
      if (m?.role === 'system') sources.push(m.content)
    }
  }
  for (const source of sources) {
    for (const text of textsOf(source)) {
      if (text.length > MAX_CONTEXT_TEXT) continue
      const at = text.indexOf(CLAUDE_CWD)
      if (at < 0) continue
      const start = at + CLAUDE_CWD.length
      const end = text.indexOf('\n', start)
      return text.slice(start, end < 0 ? undefined : end)
    }
  }
  return undefined
}

/** Codex's working folder, from the `<environment_context>` user item it opens each conversation with. */
function codexCwd(body: Record<string, unknown>): string | undefined {
  if (!Array.isArray(body.input)) return undefined
  for (const item of body.input) {
    if ((item as { role?: unknown } | null)?.role !== 'user') continue
    for (const text of textsOf((item as { content?: unknown }).content)) {
      if (text.length > MAX_CONTEXT_TEXT || !text.startsWith('<environment_context>')) continue
      return CODEX_CWD.exec(text)?.[1]
    }
  }
  return undefined
}

/** A folder's last name (`/home/ana/src/billing-service` → `billing-service`, `C:\\x\\my app` → `my app`). */
function folderName(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  let end = path.length
  while (end > 0 && (path[end - 1] === '/' || path[end - 1] === '\\')) end--
  const start = Math.max(path.lastIndexOf('/', end - 1), path.lastIndexOf('\\', end - 1)) + 1
  const name = path.slice(start, end)
  return name.endsWith(':') ? undefined : name
}

/**
 * The project a call belongs to: the caller's `x-switchyard-project`, else the working folder Claude Code or
 * Codex tells the model it runs in (so a user who sets nothing still sees what each repository cost). Other
 * tools' prompts are not read: a folder named in some chat is not a project.
 */
function projectOf(call: GatewayCall, tool: string | undefined): string | undefined {
  const own = bounded(header(call, 'x-switchyard-project'), MAX_PROJECT_CHARS, true)
  if (own) return own
  let cwd: string | undefined
  if (tool === 'claude-code' && call.dialect === 'anthropic') cwd = claudeCodeCwd(call.body)
  else if (tool === 'codex' && call.dialect === 'responses') cwd = codexCwd(call.body)
  return bounded(folderName(cwd), MAX_PROJECT_CHARS, false)
}

/**
 * The person an admin call made from the UI is attributed to: the signed-in member or service account. The
 * install's admin token is nobody in particular (solo mode's only principal), so its calls name no one.
 */
export function signedInPerson(principal: { kind: string; name: string } | undefined): string | undefined {
  return principal && principal.kind !== 'admin-token' ? principal.name : undefined
}

/** Sets the call's session, project, tool and person on its log event, when the caller names them. */
export function attributeCall(event: LogEvent, call: GatewayCall): void {
  const person = personOf(call)
  if (person) event.person = person
  const sessionId = sessionOf(call)
  if (sessionId) event.sessionId = sessionId
  const tool = toolOf(call)
  if (tool) event.clientTool = tool
  const project = projectOf(call, tool)
  if (project) event.project = project
}
