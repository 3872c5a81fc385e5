import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
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
 * Serves the web app under /app/ and sends `/` there. Both are plain Express middleware that run before Nest's
 * guards and answer only their own paths, so the global deny-by-default guard still covers every API route.
 * Helmet's strict CSP (script-src 'self', no inline scripts) applies to these responses too.
 */
export function serveWebApp(app: NestExpressApplication, config: AppConfig): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/') return res.redirect(302, WEB_APP_PREFIX);
    return next();
  });
  const dir = webAppDir(config);
  if (!dir) return; // not built: /app/ is an unknown route (404) like any other
  app.useStaticAssets(dir, {
    prefix: WEB_APP_PREFIX,
    index: 'index.html',
    fallthrough: true,
    setHeaders: (res: Response, path: string) => {
      if (HASHED_ASSET.test(basename(path))) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
}
