import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@app/config';

/** Where the browser app lives. Hash routing inside it, so the server never needs a fallback to index.html. */
export const WEB_APP_PREFIX = '/app/';

/** esbuild names bundles `<name>-<HASH>.<ext>`: their content never changes under a name, so they can be cached for good. */
const HASHED_ASSET = /-[A-Z0-9]{8}\.(js|css)$/;

/**
 * The built web app (scripts/build-web.mjs): WEB_DIR, else dist/web found from this file (dist/apps/api/src when
 * built, apps/api/src under jest). Undefined when it has not been built.
 */
export function webAppDir(config: AppConfig): string | undefined {
  if (config.http.webDir) return resolve(config.http.webDir);
  return [resolve(__dirname, '../../../web'), resolve(__dirname, '../../../dist/web')].find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Serves the web app under /app/ and sends `/` there. Both are plain Fastify routes outside Nest's router that answer
 * only their own paths, so the global deny-by-default guard still covers every API route. Helmet's strict CSP
 * (script-src 'self', no inline scripts) applies to these responses too.
 */
export async function serveWebApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app
    .getHttpAdapter()
    .getInstance()
    .get('/', (_req, reply) => reply.redirect(WEB_APP_PREFIX, 302));
  const dir = webAppDir(config);
  if (!dir) return; // not built: /app/ is an unknown route (404) like any other
  await app.register(fastifyStatic, {
    root: dir,
    prefix: WEB_APP_PREFIX.slice(0, -1), // '/app' too, answered with a redirect to '/app/'
    redirect: true,
    index: 'index.html',
    decorateReply: false, // no reply.sendFile: nothing else serves files (the queue dashboard has its own)
    cacheControl: false, // set per file below
    setHeaders: (reply, path) => {
      reply.header('Cache-Control', HASHED_ASSET.test(basename(path)) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
