// Builds the web UI (src/ui) into dist/ui, which `floe serve` serves at /ui.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // The page's whole code in one file: no module preload links, nothing inline (the CSP allows no inline script).
    modulePreload: false,
  },
});
