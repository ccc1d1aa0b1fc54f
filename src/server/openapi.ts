import { z } from 'zod';
import { TOOL_VERSION } from '../app/connections.js';
import { CSRF_HEADER, SESSION_COOKIE } from './access.js';
import type { Route } from './route-table.js';

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorBody = { type: 'object', required: ['error'], properties: { error: { type: 'string' }, field: { type: 'string' }, hint: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } } };

/** Fastify's `:name` as OpenAPI's `{name}`. */
export const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** The OpenAPI 3.1 document, built from the same zod schemas the routes validate with. */
export function openApiDocument(routes: Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const [where, s] of [['path', r.params], ['query', r.query]] as const) {
      if (!s) continue;
      const json = schema(s, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, p] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: p, ...(typeof p.description === 'string' ? { description: p.description } : {}) });
      }
    }
    const ok = String(r.status ?? 200);
    const content = r.produces ? { [r.produces]: { schema: { type: 'string' } } } : r.response ? { 'application/json': { schema: schema(r.response, 'output') } } : undefined;
    const responses: Record<string, unknown> = {
      [ok]: { description: ok === '204' ? 'done, no content' : 'success', ...(content && ok !== '204' ? { content } : {}) },
      400: { description: 'the request is not valid: `field` names what to fix', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    if (r.access !== 'public') {
      responses[401] = { description: 'not signed in', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      responses[403] = { description: 'the role is too low, or a cookie write lacks the CSRF token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[openApiPath(r.url)] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${openApiPath(r.url).replace(/[^\w]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      'x-ferry-role': r.access,
      ...(r.access === 'public' ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry API',
      version: TOOL_VERSION,
      description: `Everything the ferry command line does, over HTTP. Sign in with POST /api/session (a cookie, plus the ${CSRF_HEADER} header on writes) or send an API token as a Bearer token. Roles: viewer (reads), operator (runs, stops, re-runs, undoes, verifies), admin (connections, users, reset). See docs/api.md.`,
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { token: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        token: { type: 'http', scheme: 'bearer' },
      },
      schemas: { Error: errorBody },
    },
    paths,
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A plain, offline reference page of the document: every operation, its role, parameters and body. */
export function referencePage(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<string, Record<string, { summary: string; 'x-ferry-role': string; parameters?: Array<{ name: string; in: string; required: boolean; description?: string }>; requestBody?: { content: { 'application/json': { schema: unknown } } } }>>;
  const sections = Object.entries(paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const params = (op.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})${p.description ? `: ${esc(p.description)}` : ''}</li>`).join('');
        const body = op.requestBody ? `<details><summary>Body (JSON Schema)</summary><pre>${esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>` : '';
        return `<section><h2><code>${method.toUpperCase()} ${esc(path)}</code></h2><p>${esc(op.summary)}</p><p>Role: <strong>${esc(op['x-ferry-role'])}</strong></p>${params ? `<ul>${params}</ul>` : ''}${body}</section>`;
      }),
    )
    .join('\n');
  const info = doc.info as { title: string; version: string; description: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}section{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1.05rem}pre{background:#f4f4f4;padding:.5rem;overflow:auto}</style>
</head><body><main><h1>${esc(info.title)} ${esc(info.version)}</h1><p>${esc(info.description)}</p><p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
${sections}</main></body></html>`;
}
