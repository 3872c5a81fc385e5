import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@app/config';
import { chooseLogFormat, createLogger, PinoNestLogger } from './logging.module';

describe('log format', () => {
  it('auto is pretty on a terminal and JSON anywhere else; pretty and json are taken as asked', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('LOG_FORMAT defaults to auto and refuses anything but auto, pretty or json', () => {
    expect(parseConfig({}).log.format).toBe('auto');
    expect(parseConfig({ LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(() => parseConfig({ LOG_FORMAT: 'yaml' })).toThrow('Invalid configuration: LOG_FORMAT must be auto, pretty or json');
  });

  describe('what the logger writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-format-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Logs what a start-up and a failed sign-in would, through Nest's interface, and returns the file's text. */
    const writeSample = (format: 'auto' | 'pretty' | 'json', name: string): string => {
      const file = join(dir, `${name}.log`);
      const logger = new PinoNestLogger(createLogger({ level: 'info', format, file }, true));
      logger.log('Nest application successfully started', 'NestApplication');
      logger.warn({ body: { email: 'a@b.example', password: 'hunter2-hunter2' } }, 'sign-in refused', 'AuthController');
      logger.pino.info({ req: { method: 'GET', path: '/incidents' }, res: { statusCode: 200 }, responseTime: 3 }, 'request completed');
      return readFileSync(file, 'utf8');
    };

    it('a LOG_FILE gets JSON lines even when stdout is a terminal (auto), with the context and secrets redacted', () => {
      const lines = writeSample('auto', 'auto')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ level: 30, context: 'NestApplication', msg: 'Nest application successfully started' });
      expect(lines[1]).toMatchObject({ level: 40, context: 'AuthController', msg: 'sign-in refused', body: { password: '[redacted]' } });
      expect(lines[2]).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
    });

    it('pretty is text a person reads: time, level, [context] message, a request as one line, secrets still redacted', () => {
      const text = writeSample('pretty', 'pretty');
      const lines = text.trim().split('\n');
      expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[NestApplication\] Nest application successfully started$/);
      expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[AuthController\] sign-in refused$/);
      expect(text).toContain('"[redacted]"');
      expect(text).not.toContain('hunter2');
      expect(text).toMatch(/INFO: request completed GET \/incidents 200 3 ms\n/);
      expect(text).not.toContain('\x1b['); // no colours in a file
      expect(() => JSON.parse(lines[0])).toThrow();
    });
  });
});

describe('PinoNestLogger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nest-logger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes Nest's calls: an Error, an object merged into the line, and error(message, stack, context) from its exception handlers", () => {
    const file = join(dir, 'nest.log');
    const logger = new PinoNestLogger(createLogger({ level: 'debug', format: 'json', file }));
    logger.error(new Error('socket closed'), 'LiveGateway');
    logger.error({ correlationId: 'c-1' }, 'unexpected error', 'ProblemDetailsFilter');
    logger.error('boom', 'Error: boom\n    at handler (secret-module.ts:1:1)', 'ExceptionsHandler');
    logger.verbose('below the level');
    logger.debug('no context');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ level: 50, context: 'LiveGateway', msg: 'socket closed', err: { type: 'Error', message: 'socket closed' } });
    expect(lines[1]).toMatchObject({ level: 50, context: 'ProblemDetailsFilter', msg: 'unexpected error', correlationId: 'c-1' });
    expect(lines[2]).toMatchObject({ context: 'ExceptionsHandler', msg: 'boom', err: { message: 'boom', stack: expect.stringContaining('secret-module.ts') } });
    expect(lines[3]).toMatchObject({ level: 20, msg: 'no context' });
    expect(lines[3]).not.toHaveProperty('context');
  });
});
