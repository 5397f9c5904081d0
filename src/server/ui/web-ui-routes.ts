import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../domain/index.js';

/**
 * Where `vite build` puts the web UI: dist/ui of the package, found from this file, which sits
 * three folders deep whether it runs compiled (dist/server/ui) or from source (src/server/ui).
 */
export const WEB_UI_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));

/**
 * The page may load only its own scripts and styles and talk only to this server; nothing may
 * frame it (clickjacking), and no inline script runs, so an injected value cannot execute.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web UI at /ui: static files built by Vite, public like /health (the page holds no data;
 * everything it shows comes from the native API with the signed-in key's bearer token).
 */
export async function webUiRoutes(app: FastifyInstance, { root = WEB_UI_DIR }: { root?: string } = {}): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), auth: 'none', operation: 'WebUI' } as typeof route.config;
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  app.get('/', async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/'));
  if (!existsSync(root)) {
    app.get('/ui/*', async () => {
      throw new NotFoundError('the web UI is not built: run `npm run build`');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/ui/',
    // Built assets carry a content hash in their names, so they may be cached for good; index.html may not.
    setHeaders: (res, path) => res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
    cacheControl: false,
    index: ['index.html'],
    wildcard: false,
  });
}
