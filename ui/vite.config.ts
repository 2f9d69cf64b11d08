// Vite builds the UI that the Tauri shell embeds (ui/dist); Vitest runs the unit tests
// in jsdom against the in-memory backend. JSX is compiled by esbuild directly (no React
// plugin): the app needs no fast refresh, and this keeps the toolchain small.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Relative asset URLs: the shell serves dist/ from its own origin, not from /.
  base: './',
  esbuild: { jsx: 'automatic' },
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    rollupOptions: {
      // TanStack's modules start with "use client" (for server components); meaningless
      // in a client-only bundle, and Rollup says so once per module.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Others compile Rust on the same machine: two workers are plenty.
    maxWorkers: 2,
    minWorkers: 1,
    // Screens with hundreds of rows take 2-3 s in jsdom; on a machine busy compiling,
    // twice that. A timeout is not what these tests check.
    testTimeout: 20_000,
  },
});
