/**
 * The shop app of fixtures/web-app for dashboard tests: its registry built by the real sidepunch-gen (with the
 * workers' parameter names), loaded here so tests push with the worker classes' options, and headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadRegistry, type Registry } from '../../runtime/index.js';
import { REPO_ROOT } from './runtime-process.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GEN_BIN = `${REPO_ROOT}bin/sidepunch-gen.js`;

export interface ShopApp {
  readonly registryFile: string;
  readonly registry: Registry;
  remove(): void;
}

export async function buildShopApp(): Promise<ShopApp> {
  // Inside the app, so the bundle's external imports (ioredis) resolve from the repo's node_modules.
  const dir = mkdtempSync(`${REPO_ROOT}fixtures/web-app/.gen-`);
  const registryFile = path.join(dir, 'registry.js');
  execFileSync(
    process.execPath,
    [
      GEN_BIN,
      '-p',
      `${REPO_ROOT}fixtures/web-app/tsconfig.json`,
      '--out',
      path.join(dir, 'stubs.ts'),
      '--registry',
      registryFile,
      '--no-cache',
    ],
    { stdio: 'pipe' },
  );
  return {
    registryFile,
    registry: await loadRegistry(registryFile),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A page that accepts confirm dialogs (the dashboard asks before deleting) and records script errors. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(url);
  return page;
}
