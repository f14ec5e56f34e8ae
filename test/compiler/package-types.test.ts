/**
 * A type from an npm package (declared in node_modules) that JSON cannot carry is one mistake, however many of its
 * members are the reason: one diagnostic naming the type and its package, not one per member (ioredis's
 * ChainableCommander gave 374). A package's data types are read like the project's own.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { useTempProjects, workerSource } from './support/temp-project.js';

const project = useTempProjects();

const PACKAGE = {
  'node_modules/fake-geo/package.json': JSON.stringify({
    name: 'fake-geo',
    version: '1.0.0',
    types: 'index.d.ts',
  }),
  'node_modules/fake-geo/index.d.ts': [
    'export interface GeoPoint { lat: number; lng: number; label?: string }',
    'export interface Geocoder {',
    '  name: string;',
    '  lookup(query: string): GeoPoint;',
    '  reverse(point: GeoPoint): string;',
    '  near(point: GeoPoint): GeoPoint[];',
    '}',
    'export interface Visit { at: Date; point: GeoPoint }',
    'export type Options = { retry(attempt: number): number } & { tls: { key: Date; cert: Date } };',
    '',
  ].join('\n'),
};

function workers(params: string): string {
  return `import type { Geocoder, GeoPoint, Options, Visit } from 'fake-geo';\n${workerSource('Locate', params)}`;
}

describe('types from npm packages', () => {
  it('a package type with several members JSON cannot carry is one diagnostic naming it and its package', async () => {
    const app = project({
      ...PACKAGE,
      'src/workers/locate.ts': workers('geocoder: Geocoder, point: GeoPoint, options: Options'),
    });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((line) => line.includes(' - error '));
    expect(errors).toEqual([
      "src/workers/locate.ts:5:11 - error SP1012: Argument 'geocoder' of Locate.perform is not JSON-serializable: geocoder.lookup is a function ((query: string) => GeoPoint), which JSON drops (Geocoder, from the package fake-geo, has 2 more members JSON cannot carry). Pass the data the function needs instead, and call it inside perform.",
      "src/workers/locate.ts:5:48 - error SP1012: Argument 'options' of Locate.perform is not JSON-serializable: options.retry is a function ((attempt: number) => number), which JSON drops (Options, from the package fake-geo, has 1 more member JSON cannot carry). Pass the data the function needs instead, and call it inside perform.",
    ]);
    expect(run.stderr).toContain('Found 2 errors in the same file, starting at: src/workers/locate.ts:5');
  });

  it('a mapped type is the package of its members: Partial<Geocoder> is fake-geo’s, Partial<Repo> the project’s', async () => {
    const app = project({
      ...PACKAGE,
      'src/workers/locate.ts': workers('geocoder: Partial<Geocoder>, repo: Readonly<Repo>').replace(
        'export class',
        'export interface Repo {\n  find(): string;\n  save(): void;\n}\n\nexport class',
      ),
    });
    const run = await runCli(app.dir, '--no-cache');
    const errors = run.stderr.split('\n').filter((line) => line.includes(' - error '));
    expect(
      errors.map((line) =>
        line.replace(/^.* - error (SP\d+): [^:]*: (\S+).*?(\(Partial.*?\))?\. Pass.*$/, '$1 $2 $3').trim(),
      ),
    ).toEqual([
      'SP1012 geocoder.lookup (Partial<Geocoder>, from the package fake-geo, has 2 more members JSON cannot carry)',
      'SP1012 repo.find',
      'SP1012 repo.save',
    ]);
  });

  it('a package type with one such member is reported at it, and its data types pass', async () => {
    const app = project({ ...PACKAGE, 'src/workers/locate.ts': workers('visit: Visit, points: GeoPoint[]') });
    const run = await runCli(app.dir, '--no-cache');
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((line) => line.includes(' - error '));
    expect(errors).toEqual([
      "src/workers/locate.ts:5:11 - error SP1004: Argument 'visit' of Locate.perform is not JSON-serializable: visit.at is Date. Pass an ISO string or epoch milliseconds instead.",
    ]);
  });
});
