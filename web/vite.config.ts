import { defineConfig } from 'vite';

// The dashboard's build: `npm run build` writes it to dist/web, which the hub serves at `/`.
// Relative asset URLs (base './') let the hub serve it under any path prefix, e.g. behind a proxy.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  // No React plugin: esbuild's automatic JSX runtime is all the build needs (no fast refresh).
  esbuild: { jsx: 'automatic' },
  logLevel: 'warn',
  build: {
    outDir: new URL('../dist/web', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for work on the UI against a hub on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
