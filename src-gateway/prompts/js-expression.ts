import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core'

const TIMEOUT_MS = 250
/** For the expression's own work; the inputs get room of their own (see `memoryLimit`). */
const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024
/** Well inside the WebAssembly stack, so deep recursion is a catchable error, not a trap. */
const MAX_STACK_BYTES = 256 * 1024

/** Why an expression gave no value: it threw, ran too long or too deep, used too much memory, or did not parse. */
export class ExpressionError extends Error {
  override name = 'ExpressionError'
}

let engine: Promise<QuickJSWASMModule> | undefined
/** The engine is compiled once, on first use; every evaluation then gets a runtime of its own. */
const loadEngine = () => {
  // A dynamic import types the same under the app's bundler resolution and the CLI's NodeNext one.
  engine ??= newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync'))
  return engine
}

/**
 * Runs before the expression. Code from strings stays off, as it always has for assertions: an
 * assertion is one expression, and `eval` or `Function('…')` in one is a mistake or a probe.
 */
const PRELUDE = `'use strict';
{
  const refuse = () => { throw new EvalError('code generation from strings is disabled') };
  for (const f of [function () {}, function* () {}, async function () {}, async function* () {}])
    Object.defineProperty(Object.getPrototypeOf(f), 'constructor', { value: refuse });
  globalThis.Function = refuse;
  delete globalThis.eval;
}
`

/**
 * The inputs arrive as one JSON string and are parsed inside, so no host object ever enters the sandbox.
 * The outcome leaves the same way, as one JSON string: `{"value":…}`, `{}` for undefined, or `{"error":…}`
 * with the thrown value described inside, where a getter or `toString` it runs is still under the limits.
 * `JSON.stringify` is taken before the expression could replace it.
 */
function script(expression: string, names: string[]): string {
  return `${PRELUDE}const __stringify = JSON.stringify;
const __describe = (e) => {
  try { return e instanceof Error ? e.name + ': ' + e.message : 'threw ' + __stringify(e) }
  catch { return 'threw a value that could not be read' }
};
const { ${names.join(', ')} } = JSON.parse(globalThis.__input);
delete globalThis.__input;
let __outcome;
try {
  const __value = (${expression}
  );
  __outcome = __value === undefined ? '{}' : '{"value":' + (__stringify(__value) ?? 'null') + '}';
} catch (e) {
  __outcome = __stringify({ error: __describe(e) });
}
__outcome`
}

/** The inputs as JSON; past this an assertion is refused rather than given a heap that size. */
const MAX_INPUT_CHARS = 4 * 1024 * 1024
/** A large output (and its parsed JSON) must not use up the expression's own budget. */
const memoryLimit = (input: string) => MEMORY_LIMIT_BYTES + 4 * input.length

const OUT_OF_MEMORY = 'InternalError: out of memory'
const reason = (error: string) =>
  error === OUT_OF_MEMORY ? `out of memory (limit ${MEMORY_LIMIT_BYTES / 1024 / 1024} MB)` : error

/**
 * What the engine itself threw past the script's own catch: a syntax error, or running out of time, memory
 * or stack while describing a thrown value. Read property by property, never through `context.dump`,
 * which disposes a promise it is given.
 */
function engineError(context: QuickJSContext, error: QuickJSHandle): string {
  const read = (key: string) => {
    const h = context.getProp(error, key)
    try {
      return context.typeof(h) === 'string' ? context.getString(h) : ''
    } finally {
      h.dispose()
    }
  }
  try {
    return reason(`${read('name')}: ${read('message')}`)
  } catch {
    return 'the expression failed in a way that could not be read'
  }
}

/** The outcome the script hands back (see `script`); the expression can spoil it (a `toJSON` on every object). */
function fromOutcome(outcome: string | undefined): unknown {
  let parsed: { value?: unknown; error?: unknown }
  try {
    parsed = JSON.parse(outcome ?? '')
  } catch {
    throw new ExpressionError('its result could not be read')
  }
  if (typeof parsed.error === 'string') throw new ExpressionError(reason(parsed.error))
  return parsed.value
}

/**
 * Evaluates a user's assertion expression over plain data, in QuickJS compiled to WebAssembly: a separate
 * engine with no `require`, `process`, module loader or host function, under a time limit (an interrupt
 * every few thousand instructions), a memory limit and a stack limit. Rejects with `ExpressionError`.
 */
export async function evaluateExpression(expression: string, data: Record<string, unknown>): Promise<unknown> {
  const quickjs = await loadEngine()
  try {
    return evaluateIn(quickjs, expression, data)
  } catch (err) {
    // Anything but the expression's own failure may have left the WebAssembly instance broken (an abort
    // is final): the next evaluation loads a fresh one.
    if (!(err instanceof ExpressionError)) engine = undefined
    throw err
  }
}

function evaluateIn(quickjs: QuickJSWASMModule, expression: string, data: Record<string, unknown>): unknown {
  const input = JSON.stringify(data)
  if (input.length > MAX_INPUT_CHARS)
    throw new ExpressionError(
      `its inputs are too large (${MAX_INPUT_CHARS / 1024 / 1024} M characters of JSON at most)`,
    )
  const deadline = Date.now() + TIMEOUT_MS
  let timedOut = false
  const runtime = quickjs.newRuntime({
    memoryLimitBytes: memoryLimit(input),
    maxStackSizeBytes: MAX_STACK_BYTES,
    interruptHandler: () => {
      timedOut ||= Date.now() > deadline
      return timedOut
    },
  })
  try {
    const context = runtime.newContext()
    try {
      const inputHandle = context.newString(input)
      context.setProp(context.global, '__input', inputHandle)
      inputHandle.dispose()
      const result = context.evalCode(script(expression, Object.keys(data)), 'assertion.js', { type: 'global' })
      if (result.error) {
        const why = timedOut ? `timed out after ${TIMEOUT_MS} ms` : engineError(context, result.error)
        result.error.dispose()
        throw new ExpressionError(why)
      }
      const outcome = context.typeof(result.value) === 'string' ? context.getString(result.value) : undefined
      result.value.dispose()
      return fromOutcome(outcome)
    } finally {
      context.dispose()
    }
  } finally {
    runtime.dispose()
  }
}
