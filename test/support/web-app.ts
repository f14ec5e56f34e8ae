/**
 * The shop app of fixtures/web-app for dashboard tests: its registry built by the real sidepunch-gen (with the
 * workers' parameter names), loaded here so tests push with the worker classes' options, and headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { loadRegistry, type Registry, startWebServer, type WebServer } from '../../runtime/index.js';
import type { RedisFixture } from './redis-fixture.js';
import { CHROMIUM } from './required-tool.js';
import { REPO_ROOT } from './runtime-process.js';

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

export interface ShopDashboard {
  readonly app: ShopApp;
  readonly browser: Browser;
  /** The dashboard on the fixture's Redis, with the shop's registry, polling every second. */
  readonly web: WebServer;
  /** Pushes a job of the shop's worker `className`, with its sidepunchOptions. */
  push(className: string, args: unknown[], options?: Record<string, unknown>): Promise<string | undefined>;
}

/** For a test file: the shop app built, Chromium launched and the dashboard started once; all closed after. */
export function useShopDashboard(redis: RedisFixture, options: { enabled?: boolean } = {}): ShopDashboard {
  let app: ShopApp;
  let browser: Browser;
  let web: WebServer;
  beforeAll(async () => {
    if (options.enabled === false) return;
    [app, browser] = await Promise.all([buildShopApp(), launchChromium()]);
    web = await startWebServer({ redis: redis.server.url, registry: app.registry, port: 0, pollSeconds: 1 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    app?.remove();
  });
  return {
    get app() {
      return app;
    },
    get browser() {
      return browser;
    },
    get web() {
      return web;
    },
    push: (className, args, pushOptions = {}) =>
      redis.client.push({ class: app.registry.workers[className]!, args, ...pushOptions }),
  };
}
