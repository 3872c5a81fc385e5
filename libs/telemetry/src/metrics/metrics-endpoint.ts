import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { Metrics } from './metrics';

/**
 * Serves GET /metrics on its own port (METRICS_PORT), apart from the public API: the balancer never routes to it,
 * and METRICS_TOKEN, when set, is required as a bearer token. Off when METRICS_PORT is unset.
 */
@Injectable()
export class MetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** The port it listens on (0 asks the system for a free one; tests read the answer here). */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === undefined) return;
    const server = createServer((req, res) => void this.answer(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.logger.log(`metrics on http://${host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return send(res, 404, 'not found\n');
    if (!this.authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, 'a bearer token (METRICS_TOKEN) is required\n');
    }
    try {
      const body = await this.metrics.text();
      res.setHeader('content-type', this.metrics.contentType);
      send(res, 200, body);
    } catch {
      send(res, 500, 'metrics could not be collected\n');
    }
  }

  private authorized(header: string | undefined): boolean {
    const token = this.config.metrics.token;
    if (!token) return true;
    const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(body);
}
