// Debian's chromium for browser tests, launched the one way that works on these machines.
// In CI a missing browser fails the run; on a developer machine without it the browser tests
// are skipped with a note, so `npm test` still passes on a fresh checkout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const browserTestsEnabled = fs.existsSync(CHROMIUM_PATH) || process.env['CI'] === 'true';
if (!browserTestsEnabled) console.warn(`browser tests skipped: no chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

type ContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

export function launchChromium(options: Omit<ContextOptions, 'executablePath' | 'headless' | 'args'> = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'chr-')), {
    ...options,
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
  });
}
