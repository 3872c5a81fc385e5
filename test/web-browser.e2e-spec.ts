import { accessSync, constants } from 'node:fs';
import packagedChromium from '@sparticuz/chromium';
import { chromiumExecutable, launchChromium, SYSTEM_CHROMIUM } from './support/web-browser';

/**
 * The browser the web tests drive: on a machine with nothing but Node, PostgreSQL, Redis and `npm ci`, the Chromium
 * build the @sparticuz/chromium package ships; Debian's when installed; CHROMIUM_PATH forces one.
 */
describe('the browser the web tests drive', () => {
  const absent = '/nonexistent/chromium';
  const installed = process.execPath; // an executable that exists, standing in for /usr/bin/chromium

  it('is CHROMIUM_PATH when set, whatever is installed', async () => {
    expect(await chromiumExecutable({ CHROMIUM_PATH: '/opt/chromium/chrome' }, installed)).toBe('/opt/chromium/chrome');
    expect(await chromiumExecutable({ CHROMIUM_PATH: '/opt/chromium/chrome' }, absent)).toBe('/opt/chromium/chrome');
  });

  it(`is ${SYSTEM_CHROMIUM} when installed and CHROMIUM_PATH is unset`, async () => {
    expect(await chromiumExecutable({}, installed)).toBe(installed);
  });

  it("is the npm package's Chromium when neither is there, and that browser runs headless and renders a page", async () => {
    const path = await chromiumExecutable({ CHROMIUM_PATH: '' }, absent);
    expect(path).toBe(await packagedChromium.executablePath());
    expect(() => accessSync(path, constants.X_OK)).not.toThrow();
    const browser = await launchChromium({ executablePath: path });
    try {
      const page = await browser.newPage();
      await page.setContent('<main><h1>Check-in</h1><button>Scan</button></main>');
      await page.getByRole('heading', { name: 'Check-in' }).waitFor();
      expect(await page.getByRole('button').textContent()).toBe('Scan');
      expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome\/\d+/);
    } finally {
      await browser.close();
    }
  });
});
