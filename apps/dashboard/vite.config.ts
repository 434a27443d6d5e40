import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` runs the API on SHOPDESK_API (default :3000) and this dev server proxies /api to it,
// including the realtime WebSocket, so the app sees one origin exactly as in production.
const api = process.env.SHOPDESK_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.DASHBOARD_PORT ?? 5173),
    proxy: { '/api': { target: api, ws: true, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Budget: the inbox route's initial JS must stay under 300 KB gzip (checked by `npm run bench`).
    chunkSizeWarningLimit: 600,
  },
});
