/**
 * The theme choice lives in localStorage so `public/theme-init.js` can apply it before first paint; this
 * module keeps the `dark` class in step afterwards, including when the system switches while open.
 */
export type ThemeChoice = 'system' | 'light' | 'dark'

export const THEME_STORAGE_KEY = 'switchyard.theme'

export function readThemeChoice(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(THEME_STORAGE_KEY)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system'
  }
}

export function storeThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') globalThis.localStorage?.removeItem(THEME_STORAGE_KEY)
    else globalThis.localStorage?.setItem(THEME_STORAGE_KEY, choice)
  } catch {
    // Storage can be unavailable (private mode); the choice then lasts for this session only.
  }
}

let systemQuery: MediaQueryList | undefined
let current: ThemeChoice = 'system'

function render() {
  const dark = current === 'dark' || (current === 'system' && Boolean(systemQuery?.matches))
  document.documentElement.classList.toggle('dark', dark)
}

export function applyTheme(choice: ThemeChoice): void {
  if (typeof document === 'undefined') return
  current = choice
  if (!systemQuery) {
    systemQuery = window.matchMedia('(prefers-color-scheme: dark)')
    systemQuery.addEventListener('change', render)
  }
  render()
}
