/**
 * The workspace the signed-in person works in (team mode's switcher, board s9 decision 2). gatewayFetch sends it
 * as `x-switchyard-workspace` on every call, so the Playground's calls are logged in it and what is created lands
 * in it. It is remembered per browser with whose choice it was: another person signing in here starts without it.
 */
export const WORKSPACE_HEADER = 'x-switchyard-workspace'

const STORAGE_KEY = 'switchyard.workspace'
/** The gateway's bound on a workspace id; a longer stored value is not one. */
const MAX_ID = 64

let chosen: string | null = null

/** The workspace calls are made in; null sends no header (the gateway takes the person's first). */
export function chosenWorkspace(): string | null {
  return chosen
}

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    // Storage can be switched off; the choice then lasts as long as the page.
    return null
  }
}

/** Makes later calls in `id` (null: none) and remembers it for `owner` (who signed in). */
export function chooseWorkspace(owner: string, id: string | null): void {
  chosen = id
  if (id === null) storage()?.removeItem(STORAGE_KEY)
  else storage()?.setItem(STORAGE_KEY, JSON.stringify({ owner, id }))
}

/** The choice `owner` made before in this browser, if any; another person's is dropped. */
export function restoreWorkspace(owner: string | null): string | null {
  chosen = null
  const raw = storage()?.getItem(STORAGE_KEY)
  if (!raw) return null
  try {
    const saved = JSON.parse(raw) as { owner?: unknown; id?: unknown }
    if (owner !== null && saved.owner === owner && typeof saved.id === 'string' && saved.id.length <= MAX_ID) {
      chosen = saved.id
      return chosen
    }
  } catch {
    // A value that is not ours: forget it.
  }
  storage()?.removeItem(STORAGE_KEY)
  return null
}

/** Sign-out: the next person at this browser starts in their own first workspace. */
export function forgetWorkspace(): void {
  chosen = null
  storage()?.removeItem(STORAGE_KEY)
}
