import { describe, expect, it } from 'vitest'
import { isAllowedOrigin } from './cors.js'

describe('isAllowedOrigin', () => {
  it.each([
    'http://localhost:3000',
    'http://127.0.0.1:8080',
    'https://localhost',
    'http://[::1]:5173',
    'app://switchyard',
    'file://',
    'tauri://localhost',
    'vscode-webview://abc',
  ])('allows %s', (origin) => {
    expect(isAllowedOrigin(origin)).toBe(true)
  })

  it.each(['https://evil.example', 'http://localhost.evil.example', 'null', 'chrome-extension://x', 'ftp://localhost'])(
    'refuses %s',
    (origin) => {
      expect(isAllowedOrigin(origin)).toBe(false)
    },
  )
})
