import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import packagedChromium from '@sparticuz/chromium';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { create as createQr } from 'qrcode';

/**
 * Browser tests of the web app: chromium driven by playwright-core, headless, with a fresh profile per browser. Each
 * page records console errors and uncaught exceptions, so a test can assert that none happened.
 */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const TABLET = { width: 768, height: 1024 };
export const LAPTOP = { width: 1280, height: 900 };
export const ARTIFACTS_DIR = join(__dirname, '../../test-artifacts/web');

const root = join(__dirname, '../..');

/**
 * The browser to drive: CHROMIUM_PATH when set, else Debian's chromium when installed, else the Chromium build that
 * the @sparticuz/chromium package ships (from the lock file, so `npm ci` is all a machine needs; unpacked into the
 * OS temp folder on first use).
 */
export async function chromiumExecutable(env: NodeJS.ProcessEnv = process.env, systemChromium = SYSTEM_CHROMIUM): Promise<string> {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  if (existsSync(systemChromium)) return systemChromium;
  return packagedChromium.executablePath();
}

/** Builds the web app into a folder of its own (the api serves it through WEB_DIR), so test files never share a build. */
export async function buildWebApp(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'web-app-'));
  await promisify(execFile)(process.execPath, ['scripts/build-web.mjs', '--outdir', dir], { cwd: root });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless chromium with a fresh profile (launch() makes a new temporary --user-data-dir and deletes it on close).
 * `fakeCamera`: a .y4m video the browser's camera shows instead of a real device, with camera access granted.
 * `executablePath`: a given browser instead of chromiumExecutable()'s choice.
 */
export async function launchChromium(opts: { fakeCamera?: string; executablePath?: string } = {}): Promise<Browser> {
  const camera = opts.fakeCamera
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.fakeCamera}`]
    : [];
  const executablePath = opts.executablePath ?? (await chromiumExecutable());
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...camera] });
}

/**
 * A camera's view of a QR badge: a still 4:2:0 Y4M video (what chromium's fake camera plays) showing `text` as a QR
 * code, black on white with a quiet zone, as a badge held up to a tablet would.
 */
export async function writeQrVideo(text: string, path: string): Promise<void> {
  const qr = createQr(text, { errorCorrectionLevel: 'L' });
  const modules = qr.modules.size;
  const scale = Math.max(2, Math.floor(560 / (modules + 8)));
  const side = Math.ceil(((modules + 8) * scale) / 16) * 16; // even dimensions for 4:2:0
  const luma = Buffer.alloc(side * side, 255);
  const offset = Math.floor((side - modules * scale) / 2);
  for (let row = 0; row < modules; row++) {
    for (let col = 0; col < modules; col++) {
      if (!qr.modules.get(row, col)) continue;
      for (let y = 0; y < scale; y++)
        luma.fill(0, (offset + row * scale + y) * side + offset + col * scale, (offset + row * scale + y) * side + offset + (col + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((side / 2) * (side / 2) * 2, 128); // no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const frames = Array.from({ length: 10 }, () => frame);
  await writeFile(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
}

export interface ConsoleProblem {
  kind: 'console' | 'pageerror';
  text: string;
  url?: string;
}

/** A page (in its own browser context: its own storage, like another device) that remembers what went wrong. */
export class WatchedPage {
  readonly problems: ConsoleProblem[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push({ kind: 'console', text: message.text(), url: message.location().url });
    });
    page.on('pageerror', (error) => this.problems.push({ kind: 'pageerror', text: `${error.name}: ${error.message}` }));
  }

  static async open(browser: Browser, viewport = LAPTOP): Promise<WatchedPage> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return new WatchedPage(context, page);
  }

  /**
   * Console errors and uncaught exceptions, except the browser's own "Failed to load resource" line for responses
   * the test expects to fail (e.g. a verification answering 400 for a revoked credential).
   */
  unexpectedProblems(expectedFailures: RegExp[] = []): ConsoleProblem[] {
    return this.problems.filter(
      (p) => !(p.kind === 'console' && p.text.startsWith('Failed to load resource') && p.url && expectedFailures.some((r) => r.test(p.url!))),
    );
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /**
   * Elements that stick out past the right edge of the window (content cut off, or a sideways scroll on a tablet):
   * empty when the page fits.
   */
  async overflowingElements(): Promise<string[]> {
    return this.page.evaluate(() => {
      if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && r.width > 0) {
          out.push(
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} right=${Math.round(r.right)}`,
          );
        }
      }
      return out.length > 0 ? out.slice(0, 10) : [`document ${document.documentElement.scrollWidth}px wide`];
    });
  }

  /** Forgets the problems seen so far (after a test has looked at them). */
  clearProblems(): void {
    this.problems.length = 0;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Signs in through the sign-in page, as a person would: the app opens the page for the user's role. */
export async function signInThroughUi(w: WatchedPage, baseUrl: string, email: string, password: string): Promise<void> {
  const { page } = w;
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/**
 * Opens a page of the signed-in app with a fresh load (the session is in the tab's storage) rather than a hash
 * change inside the app just signed in to, whose own first navigation after signing in could land after it.
 */
export async function openSignedIn(w: WatchedPage, url: string): Promise<void> {
  await w.page.goto('about:blank');
  await w.page.goto(url);
}

/**
 * A TCP proxy in front of the api for one browser page: `cut()` drops its connections and refuses new ones (the
 * tablet loses the network), `restore()` accepts again on the same port.
 */
export class NetworkCable {
  private server?: Server;
  private readonly open = new Set<Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async plugIn(port = this.port): Promise<string> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.open) s.destroy();
    this.open.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
