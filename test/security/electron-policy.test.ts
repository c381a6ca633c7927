import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  type AppPage,
  appPageOf,
  canNavigate,
  canOpenExternally,
  isPermissionGranted,
  isTrustedSender,
} from '../../src-main/window-policy'

// What src-main/index.ts loads: the packaged renderer file, or the dev server in development.
const rendererFile = join('/opt/Switchyard/resources/app.asar/out/renderer', 'index.html')
const packaged: AppPage = appPageOf(rendererFile, undefined)
const dev: AppPage = appPageOf(rendererFile, 'http://localhost:5173/')
const own = pathToFileURL(rendererFile).href

describe('the desktop window stays on its own page', () => {
  it('allows the app page itself (reload, any hash route) and nothing else', () => {
    expect(canNavigate(own, packaged)).toBe(true)
    expect(canNavigate(`${own}#/logs?id=1`, packaged)).toBe(true)
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:4141/',
      'http://127.0.0.1:4141/admin/v1/logs',
      pathToFileURL('/etc/passwd').href,
      pathToFileURL('/opt/Switchyard/resources/app.asar/out/renderer/other.html').href,
      'file:///opt/Switchyard/resources/app.asar/out/renderer/index.html/../../../../etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
      'http://localhost:5173/',
    ]) {
      expect(canNavigate(url, packaged), url).toBe(false)
    }
  })

  it('finds its page in a folder whose name has spaces and accents, however the URL encodes them', () => {
    const file = '/Users/zoë/My Apps/Switchyard.app/Contents/Resources/app.asar/out/renderer/index.html'
    const page = appPageOf(file, undefined)
    expect(canNavigate(pathToFileURL(file).href, page)).toBe(true)
    expect(
      canNavigate(
        'file:///Users/zo%C3%AB/My%20Apps/Switchyard.app/Contents/Resources/app.asar/out/renderer/index.html#/',
        page,
      ),
    ).toBe(true)
    expect(canNavigate('file:///Users/zo%C3%AB/My%20Apps/evil/index.html', page)).toBe(false)
    expect(canNavigate('file:///Users/%E0%A4%A/index.html', page)).toBe(false)
  })

  it('in development the dev server origin is the app page; other local ports are not', () => {
    expect(canNavigate('http://localhost:5173/', dev)).toBe(true)
    expect(canNavigate('http://localhost:5173/#/logs', dev)).toBe(true)
    expect(canNavigate('http://localhost:5174/', dev)).toBe(false)
    expect(canNavigate('http://evil.localhost:5173/', dev)).toBe(false)
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
    expect(isTrustedSender({ url: `${own}#/settings`, parent: null }, packaged)).toBe(true)
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, dev)).toBe(true)
  })
  it('refuses a gone frame, a sub-frame, and any other page', () => {
    expect(isTrustedSender(null, packaged)).toBe(false)
    expect(isTrustedSender({ url: own, parent: {} }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'http://127.0.0.1:4141/', parent: null }, packaged)).toBe(false)
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, packaged)).toBe(false)
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
