import { defineConfig } from 'vitest/config';

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the build needs, and the plugin's
// current major does not install where npm is 10 (see README). Fast refresh is the only loss.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../Nexus.Host/wwwroot',
    emptyOutDir: true,
    // ES2022: noVNC 1.7 (the console, a later issue) uses a top-level await.
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
    rollupOptions: {
      onwarn(warning, warn) {
        // TanStack Query marks its modules "use client" for React Server Components; meaningless in a browser bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('use client')) {
          return;
        }
        // @microsoft/signalr's ESM build puts a /*#__PURE__*/ where Rollup cannot use it; Rollup drops it, nothing else changes.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('@microsoft/signalr')) {
          return;
        }
        warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:5000', '/hubs': { target: 'http://localhost:5000', ws: true } },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
