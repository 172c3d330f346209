import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console: built to web/dist, served from the API's own origin (the local gateway next to
 * /v1, CloudFront deployed). `npm run console:dev` proxies /v1 to a running `npm start`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the bucket; the build stays fast.
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/local': 'http://127.0.0.1:3000',
      '/console-config.json': 'http://127.0.0.1:3000',
      '/openapi.json': 'http://127.0.0.1:3000',
    },
  },
});
