import vm from 'node:vm'

const TIMEOUT_MS = 250

/**
 * Evaluates a user's assertion expression over plain data. The context is a fresh realm with no
 * `require`, `process` or host objects: inputs cross in as a JSON string and are parsed inside, and
 * code generation from strings is off, so `constructor.constructor('return process')` has nothing to
 * reach. A timeout stops runaway loops.
 */
export function evaluateExpression(expression: string, data: Record<string, unknown>): unknown {
  const context = vm.createContext(Object.create(null), {
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  })
  context.__input = JSON.stringify(data)
  const prelude = `const { ${Object.keys(data).join(', ')} } = JSON.parse(__input); __input = undefined;`
  const script = new vm.Script(`'use strict'; ${prelude}\n(${expression}\n)`, { filename: 'assertion.js' })
  const result = script.runInContext(context, { timeout: TIMEOUT_MS })
  // Results made inside the sandbox are copied out as plain values.
  return result === undefined ? undefined : JSON.parse(JSON.stringify(result) ?? 'null')
}
