import { join, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isAllowedOrigin } from '../../src-gateway/api/cors'
import { isTrustedOrigin } from '../../src-gateway/api/edge/host-check'
import { APP_PAGE_URL, contentTypeOf, rendererFileFor } from '../../src-main/app-scheme'
import {
  type AppPage,
  appPageOf,
  canNavigate,
  canOpenExternally,
  isPermissionGranted,
  isTrustedSender,
} from '../../src-main/window-policy'

// What src-main/index.ts loads: the built renderer through the app:// scheme, or the dev server in development.
const packaged: AppPage = appPageOf(undefined)
const dev: AppPage = appPageOf('http://localhost:5173/')
const rendererDir = join('/opt/Switchyard/resources/app.asar/out/renderer')

describe('the window loads its page from app://switchyard, an origin the gateway accepts', () => {
  it('is app://switchyard/index.html', () => {
    expect(APP_PAGE_URL).toBe('app://switchyard/index.html')
  })
  it("the gateway's CORS and Origin check allow app://switchyard (a file:// page would send Origin: null)", () => {
    expect(isAllowedOrigin('app://switchyard')).toBe(true)
    expect(isTrustedOrigin('app://switchyard', new Set())).toBe(true)
    expect(isAllowedOrigin('null')).toBe(false)
  })
})

describe('app:// serves only files of the renderer folder', () => {
  it('maps the page and its assets to files in the folder', () => {
    expect(rendererFileFor('app://switchyard/index.html', rendererDir)).toBe(join(rendererDir, 'index.html'))
    expect(rendererFileFor('app://switchyard/index.html?x=1#/logs', rendererDir)).toBe(join(rendererDir, 'index.html'))
    expect(rendererFileFor('app://switchyard/assets/index-Cel5OZrX.js', rendererDir)).toBe(
      join(rendererDir, 'assets', 'index-Cel5OZrX.js'),
    )
    expect(rendererFileFor('app://switchyard/assets/My%20File.css', rendererDir)).toBe(
      join(rendererDir, 'assets', 'My File.css'),
    )
  })

  it('never resolves a path-traversal URL to a file outside the folder', () => {
    const inside = (file: string | null) => file === null || file.startsWith(rendererDir + sep)
    for (const url of [
      'app://switchyard/../../etc/passwd',
      'app://switchyard/assets/../../../../etc/passwd',
      'app://switchyard/%2e%2e/%2e%2e/etc/passwd',
      'app://switchyard/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://switchyard/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      'app://switchyard/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://switchyard/%2fetc%2fpasswd',
      'app://switchyard/..%5c..%5cWindows%5cwin.ini',
      'app://switchyard/..\\..\\Windows\\win.ini',
      'app://switchyard/C:%2fWindows%2fwin.ini',
      'app://switchyard/index.html%00.png',
    ]) {
      expect(inside(rendererFileFor(url, rendererDir)), url).toBe(true)
    }
    // Those that decode to `..`, a separator of their own, a drive or NUL are refused outright.
    for (const url of [
      'app://switchyard/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://switchyard/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://switchyard/%2fetc%2fpasswd',
      'app://switchyard/..%5c..%5cWindows%5cwin.ini',
      'app://switchyard/C:%2fWindows%2fwin.ini',
      'app://switchyard/index.html%00.png',
    ]) {
      expect(rendererFileFor(url, rendererDir), url).toBeNull()
    }
  })

  it('serves nothing for another host, scheme, a folder, or a malformed escape', () => {
    for (const url of [
      'app://evil/index.html',
      'app://user@switchyard/index.html',
      'app://switchyard:8080/index.html',
      'file:///opt/Switchyard/resources/app.asar/out/renderer/index.html',
      'https://switchyard/index.html',
      'app://switchyard/',
      'app://switchyard/assets/',
      'app://switchyard//etc/passwd',
      'app://switchyard/%E0%A4%A.js',
      'not a url',
    ]) {
      expect(rendererFileFor(url, rendererDir), url).toBeNull()
    }
  })

  it('gives each file the content type a module script and stylesheet need', () => {
    expect(contentTypeOf('/r/index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeOf('/r/assets/index-Cel5OZrX.js')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeOf('/r/assets/index-Bl8KOdPw.css')).toBe('text/css; charset=utf-8')
    expect(contentTypeOf('/r/assets/logo.SVG')).toBe('image/svg+xml')
    expect(contentTypeOf('/r/assets/blob')).toBe('application/octet-stream')
  })
})

describe('the desktop window stays on its own page', () => {
  it('allows the app page itself (reload, any hash route) and nothing else', () => {
    expect(canNavigate('app://switchyard/index.html', packaged)).toBe(true)
    expect(canNavigate('app://switchyard/index.html#/logs?id=1', packaged)).toBe(true)
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:4141/',
      'http://127.0.0.1:4141/admin/v1/logs',
      'file:///etc/passwd',
      'file:///opt/Switchyard/resources/app.asar/out/renderer/index.html',
      'app://switchyard/other.html',
      'app://switchyard/index.html?next=1',
      'app://evil/index.html',
      'app://user@switchyard/index.html',
      'app://switchyard:1/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
      'http://localhost:5173/',
    ]) {
      expect(canNavigate(url, packaged), url).toBe(false)
    }
  })

  it('in development the dev server origin is the app page; other local ports are not', () => {
    expect(canNavigate('http://localhost:5173/', dev)).toBe(true)
    expect(canNavigate('http://localhost:5173/#/logs', dev)).toBe(true)
    expect(canNavigate('http://localhost:5174/', dev)).toBe(false)
    expect(canNavigate('http://evil.localhost:5173/', dev)).toBe(false)
    expect(canNavigate('app://switchyard/index.html', dev)).toBe(false)
  })
})

describe('links leave the app only for the web', () => {
  it('opens http and https links in the browser', () => {
    expect(canOpenExternally('https://github.com/switchyard')).toBe(true)
    expect(canOpenExternally('http://127.0.0.1:4141/docs')).toBe(true)
  })
  it('never hands the OS a file, script or custom-scheme URL', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,x',
      'ms-msdt:/id PCWDiagnostic',
      'smb://attacker/share',
      'vscode://extension/install',
      'app://switchyard/index.html',
      'HTTPS:',
      '//evil.example',
      'not a url',
    ]) {
      expect(canOpenExternally(url), url).toBe(false)
    }
  })
})

describe('IPC answers only the app page', () => {
  it('trusts the main frame of the app page', () => {
    expect(isTrustedSender({ url: 'app://switchyard/index.html#/settings', parent: null }, packaged)).toBe(true)
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, dev)).toBe(true)
  })
  it('refuses a gone frame, a sub-frame, and any other page', () => {
    expect(isTrustedSender(null, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'app://switchyard/index.html', parent: {} }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'http://127.0.0.1:4141/', parent: null }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, packaged)).toBe(false)
    expect(
      isTrustedSender(
        { url: 'file:///opt/Switchyard/resources/app.asar/out/renderer/index.html', parent: null },
        packaged,
      ),
    ).toBe(false)
    expect(isTrustedSender({ url: 'app://switchyard/index.html', parent: null }, dev)).toBe(false)
  })
})

describe('web permissions', () => {
  it('grants only clipboard writes (the Copy buttons) and refuses the rest', () => {
    expect(isPermissionGranted('clipboard-sanitized-write')).toBe(true)
    for (const p of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid']) {
      expect(isPermissionGranted(p), p).toBe(false)
    }
  })
})
