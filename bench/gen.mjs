// Times `sidepunch-gen` against `tsc --noEmit` (TypeScript 6 from node_modules) on a synthetic project of
// 500 workers, in the same run, and a no-change rerun that hits the cache.
//  1. write the project to a temp dir: shared domain types, services, and workers with realistic bodies;
//  2. run each command RUNS times in turn (interleaved, so machine noise hits both), cold for sidepunch-gen;
//  3. print medians, the ratio, and the cached rerun.
// Usage: npm run bench:gen [-- --workers 500 --runs 5 --keep]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2));
const WORKERS = flags.workers ?? 500;
const RUNS = flags.runs ?? 5;
const DOMAINS = [
  'billing',
  'orders',
  'reports',
  'users',
  'mail',
  'search',
  'inventory',
  'shipping',
  'audit',
  'sync',
];

function parseFlags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--keep') out.keep = true;
    else if (flag === '--workers') out.workers = Number(argv[++i]);
    else if (flag === '--runs') out.runs = Number(argv[++i]);
    else if (flag === '--dir') out.dir = argv[++i];
    else throw new Error(`unknown flag ${flag}`);
  }
  return out;
}

// ---- the synthetic project --------------------------------------------------------------------------------

function domainTypes(domain) {
  const T = capitalize(domain);
  return `export enum ${T}Status {
  Pending = 'pending',
  Active = 'active',
  Suspended = 'suspended',
  Closed = 'closed',
}

export enum ${T}Priority {
  Low,
  Normal,
  High,
}

export interface Money {
  readonly amountCents: number;
  readonly currency: 'EUR' | 'USD' | 'GBP';
}

export interface ${T}Address {
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  country: string;
}

export interface ${T}LineItem {
  sku: string;
  quantity: number;
  unitPrice: Money;
  tags?: readonly string[];
}

export interface ${T}Filters {
  status?: ${T}Status[];
  range: { from: string; to: string };
  owners: readonly number[];
  priority?: ${T}Priority;
  search: string | null;
}

export type ${T}Event =
  | { kind: 'created'; id: string; at: string; by: number }
  | { kind: 'updated'; id: string; changes: Record<string, string | number | null> }
  | { kind: 'deleted'; id: string; reason?: string };

export type ${T}Window = [from: string, to: string];

export interface ${T}Page {
  cursor: string | null;
  size: number;
  sort: ReadonlyArray<{ field: string; direction: 'asc' | 'desc' }>;
}
`;
}

function serviceModule(domain) {
  const T = capitalize(domain);
  return `import type { ${T}Event, ${T}Filters, ${T}LineItem, Money } from '../domain/${domain}.js';
import { ${T}Status } from '../domain/${domain}.js';

export interface ${T}Record {
  id: string;
  owner: number;
  status: ${T}Status;
  total: Money;
  items: ${T}LineItem[];
  updatedAt: Date;
}

const store = new Map<string, ${T}Record>();

export async function find${T}(id: string): Promise<${T}Record | undefined> {
  return store.get(id);
}

export async function list${T}(filters: ${T}Filters): Promise<${T}Record[]> {
  const rows = [...store.values()];
  return rows.filter((row) => {
    if (filters.status && !filters.status.includes(row.status)) return false;
    if (filters.owners.length > 0 && !filters.owners.includes(row.owner)) return false;
    return filters.search === null || row.id.includes(filters.search);
  });
}

export function total${T}(items: readonly ${T}LineItem[]): Money {
  const amountCents = items.reduce((sum, item) => sum + item.quantity * item.unitPrice.amountCents, 0);
  return { amountCents, currency: items[0]?.unitPrice.currency ?? 'EUR' };
}

export async function apply${T}Event(event: ${T}Event): Promise<void> {
  switch (event.kind) {
    case 'created':
      store.set(event.id, { id: event.id, owner: event.by, status: ${T}Status.Pending, total: { amountCents: 0, currency: 'EUR' }, items: [], updatedAt: new Date(event.at) });
      return;
    case 'updated': {
      const row = store.get(event.id);
      if (row) row.updatedAt = new Date();
      return;
    }
    case 'deleted':
      store.delete(event.id);
  }
}
`;
}

const SHARED = `export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Actor {
  id: number;
  email: string;
  roles: Array<'admin' | 'member' | 'guest'>;
}

export type UserId = number & { readonly __brand: 'UserId' };
`;

/** Ten perform signatures in rotation, each with the body that uses its arguments. */
function workerSource(index, domain) {
  const T = capitalize(domain);
  const name = `${T}Job${index}`;
  const variant = index % 10;
  const imports = `import type { SidepunchWorker } from 'sidepunch';
import type { Actor, Json, UserId } from '../../shared.js';
import type { ${T}Address, ${T}Event, ${T}Filters, ${T}LineItem, ${T}Page, ${T}Priority, ${T}Window, ${T}Status } from '../../domain/${domain}.js';
import { apply${T}Event, find${T}, list${T}, total${T} } from '../../services/${domain}.js';
`;
  const signatures = [
    `userId: number, filters: ${T}Filters`,
    `orderId: string, items: readonly ${T}LineItem[], shipTo?: ${T}Address`,
    `event: ${T}Event`,
    `payload: Json, actor: Actor`,
    `ids: number[], ...tags: string[]`,
    `status: ${T}Status, note: string | null, priority: ${T}Priority`,
    `metadata: Record<string, string>, page: ${T}Page`,
    `window: ${T}Window, owner: UserId`,
    `batch: Array<{ id: string; attempts: number; last?: string }>, dryRun: boolean`,
    `mode: 'full' | 'incremental', since: string | number, limits: { max: number; perOwner?: number }`,
  ];
  const bodies = [
    `const rows = await list${T}(filters);
    const mine = rows.filter((row) => row.owner === userId);
    const total = mine.reduce((sum, row) => sum + row.total.amountCents, 0);
    this.log(\`\${mine.length} rows, \${total} cents\`);`,
    `const row = await find${T}(orderId);
    const money = total${T}(items);
    if (!row) throw new Error(\`no such order \${orderId}\`);
    this.log(\`\${money.amountCents} \${money.currency} to \${shipTo?.city ?? 'pickup'}\`);`,
    `await apply${T}Event(event);
    if (event.kind === 'updated') this.log(Object.keys(event.changes).join(','));`,
    `const text = JSON.stringify(payload);
    if (actor.roles.includes('admin')) this.log(\`\${actor.email}: \${text.length}\`);`,
    `for (const id of ids) {
      const row = await find${T}(String(id));
      if (row && tags.length > 0) this.log(\`\${row.id}: \${tags.join(' ')}\`);
    }`,
    `const label = note === null ? status : \`\${status}: \${note}\`;
    this.log(\`\${label} (\${priority})\`);`,
    `const entries = Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b));
    const sorted = page.sort.map((s) => \`\${s.field} \${s.direction}\`).join(', ');
    this.log(\`\${entries.length} \${sorted} \${page.cursor ?? ''} \${page.size}\`);`,
    `const [from, to] = window;
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    this.log(\`owner \${owner}: \${days} days\`);`,
    `const retried = batch.filter((item) => item.attempts > 1);
    if (!dryRun) for (const item of retried) this.log(\`\${item.id} \${item.last ?? 'never'}\`);`,
    `const cutoff = typeof since === 'number' ? new Date(since * 1000) : new Date(since);
    this.log(\`\${mode} since \${cutoff.toISOString()} max \${limits.max} per \${limits.perOwner ?? 'all'}\`);`,
  ];
  return `${imports}
/** ${name}: a ${domain} job (variant ${variant}). */
export class ${name} implements SidepunchWorker {
  static sidepunchOptions = { queue: '${domain}', retry: ${index % 7} };

  async perform(${signatures[variant]}): Promise<void> {
    ${bodies[variant]}
  }

  private log(message: string): void {
    if (process.env.BENCH_VERBOSE) console.log(\`[${name}] \${message}\`);
  }
}

// keep every import used in every variant
export type ${name}Types = [${T}Address, ${T}Event, ${T}Filters, ${T}LineItem, ${T}Page, ${T}Priority, ${T}Window, ${T}Status, Actor, Json, UserId];
export const ${name}Helpers = [apply${T}Event, find${T}, list${T}, total${T}] as const;
`;
}

function capitalize(word) {
  return word[0].toUpperCase() + word.slice(1);
}

function writeSyntheticProject(dir, workers) {
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write('package.json', `${JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2)}\n`);
  write(
    'tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          rootDir: 'src',
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  write('src/shared.ts', SHARED);
  for (const domain of DOMAINS) {
    write(`src/domain/${domain}.ts`, domainTypes(domain));
    write(`src/services/${domain}.ts`, serviceModule(domain));
  }
  for (let i = 0; i < workers; i++) {
    const domain = DOMAINS[i % DOMAINS.length];
    write(`src/workers/${domain}/job-${i}.ts`, workerSource(i, domain));
  }
  mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(root, path.join(dir, 'node_modules/sidepunch'), 'dir');
  symlinkSync(path.join(root, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'), 'dir');
}

// ---- timing ---------------------------------------------------------------------------------------------

function time(command, args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [command, ...args], { cwd, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return { seconds, stdout: result.stdout };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function countLines(dir) {
  let files = 0;
  let lines = 0;
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.generated.ts')) {
        files++;
        lines += readFileSync(full, 'utf8').split('\n').length;
      }
    }
  };
  walk(path.join(dir, 'src'));
  return { files, lines };
}

function main() {
  const gen = path.join(root, 'bin/sidepunch-gen.js');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  if (!existsSync(path.join(root, 'dist/compiler/cli.js'))) throw new Error('run `npm run build` first');
  const dir = flags.dir ?? mkdtempSync(path.join(tmpdir(), 'sidepunch-bench-'));
  writeSyntheticProject(dir, WORKERS);
  const { files, lines } = countLines(dir);
  const tsVersion = JSON.parse(
    readFileSync(path.join(root, 'node_modules/typescript/package.json'), 'utf8'),
  ).version;
  console.log(
    `sidepunch-gen vs tsc --noEmit: ${WORKERS} workers, ${files} source files (${lines} lines), ` +
      `${RUNS} runs each, node ${process.version}, ${os.cpus().length} CPUs`,
  );
  console.log(`project: ${dir}${flags.keep || flags.dir ? '' : ' (removed afterwards; --keep keeps it)'}\n`);

  // Warm-up, untimed: the stubs exist for every tsc run, and the disk cache is warm for both tools.
  const first = time(gen, ['--no-cache'], dir);
  if (!first.stdout.includes(`${WORKERS} workers`)) throw new Error(`unexpected output: ${first.stdout}`);
  time(tsc, ['--noEmit', '-p', 'tsconfig.json'], dir);

  const timings = { tsc: [], cold: [], cached: [] };
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so a noisy neighbour does not always hit the same one.
    const order = run % 2 ? ['cold', 'tsc'] : ['tsc', 'cold'];
    for (const which of order) {
      if (which === 'tsc') timings.tsc.push(time(tsc, ['--noEmit', '-p', 'tsconfig.json'], dir).seconds);
      else timings.cold.push(time(gen, ['--no-cache'], dir).seconds);
    }
    time(gen, [], dir); // records the cache (a full run)
    const cached = time(gen, [], dir);
    if (!cached.stdout.includes('cached')) throw new Error(`expected a cached run, got: ${cached.stdout}`);
    timings.cached.push(cached.seconds);
  }

  const rows = [
    [`tsc --noEmit (TypeScript ${tsVersion})`, stats(timings.tsc)],
    ['sidepunch-gen, cold (--no-cache)', stats(timings.cold)],
    ['sidepunch-gen, no change (cached)', stats(timings.cached)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`${''.padEnd(width)}   median      min      max`);
  for (const [label, { median, min, max }] of rows) {
    console.log(
      `${label.padEnd(width)}  ${[median, min, max].map((s) => `${s.toFixed(2)} s`.padStart(7)).join('  ')}`,
    );
  }
  const tscMedian = stats(timings.tsc).median;
  console.log(
    `\nratio, medians: cold ${(stats(timings.cold).median / tscMedian).toFixed(2)}× tsc (goal ≤ 1.5×), ` +
      `cached ${(stats(timings.cached).median / tscMedian).toFixed(2)}× tsc`,
  );
  if (!flags.keep && !flags.dir) rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
