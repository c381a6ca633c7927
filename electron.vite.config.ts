import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// electron-vite reads node_modules/electron/package.json for its build targets. The postinstall step puts
// the package back when its binary could not download; where even that failed (or `--omit=optional`), give
// electron-vite the major version pinned in package.json's optionalDependencies. Keep the two in sync.
try {
  createRequire(import.meta.url).resolve('electron/package.json')
} catch {
  process.env.ELECTRON_MAJOR_VER ??= '41'
}

const r = (p: string) => resolve(import.meta.dirname, p)

export default defineConfig({
  main: {
    build: {
      outDir: r('out/main'),
      // The gateway runs in its own process: main starts out/main/gateway-process.js with utilityProcess.fork.
      // Its report and log writer workers are out/main/report-worker.js and log-writer-worker.js, found beside
      // the code that starts them (src-gateway/store/report-service.ts, log-writer-thread.ts): shared chunks stay
      // in out/main/ for that.
      lib: {
        entry: {
          index: r('src-main/index.ts'),
          'gateway-process': r('src-gateway/host/gateway-process.ts'),
          'report-worker': r('src-gateway/store/report-worker.ts'),
          'log-writer-worker': r('src-gateway/store/log-writer-worker.ts'),
        },
      },
      rollupOptions: { output: { chunkFileNames: '[name]-[hash].js' } },
    },
  },
  preload: {
    // A CommonJS preload runs under `sandbox: true`; an ESM one would not.
    build: {
      outDir: r('out/preload'),
      lib: { entry: r('src-main/preload.ts'), formats: ['cjs'] },
      rollupOptions: { output: { entryFileNames: 'preload.cjs' } },
    },
  },
  renderer: {
    root: r('src-renderer'),
    build: { outDir: r('out/renderer'), rollupOptions: { input: r('src-renderer/index.html') } },
    plugins: [react()],
  },
})
