import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { installDir } from '../app/install-dir.js';

/** Where `npm run build:web` (run by `npm ci` / `npm install` through `prepare`) puts the dashboard. */
export const DASHBOARD_DIR = join(installDir(), 'dist', 'web');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> in Ferry's folder (<code>npm ci</code> does it too), then reload this page.
The REST API works without it: its reference is at <a href="/api/docs">/api/docs</a>.</p></main></body></html>`;

/**
 * Serves the built dashboard at / (its files hold no data: everything it
 * shows comes from the signed-in API), and index.html for every other
 * page address, so a reload or a bookmark of /migrations/x works.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  const built = existsSync(join(dir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || request.method !== 'GET') {
      return reply.status(404).send({ error: `No such endpoint: ${request.method} ${path}`, hint: 'GET /api/openapi.json lists them' });
    }
    if (!built) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
