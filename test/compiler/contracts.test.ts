/**
 * What sidepunch-gen promises outside its own code stays true: every code is documented, its option rules
 * cover runtime/core/worker.ts `WorkerOptions`, the settings resolve like tsc finds a project, and import paths
 * follow the tsconfig's resolution.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { OPTION_RULES } from '../../compiler/checks/options.js';
import { CODE_SUMMARIES, Code } from '../../compiler/codes.js';
import { resolveConfig } from '../../compiler/config.js';
import { relativeSpecifier, specifierStyle } from '../../compiler/import-specifier.js';
import { REJECTIONS } from '../../compiler/rejections.js';
import { REPO } from './support/fixture-config.js';
import { tempProject } from './support/temp-project.js';

describe('diagnostic codes', () => {
  const docs = readFileSync(path.join(REPO, 'docs/sidepunch-gen.md'), 'utf8');

  it('are unique, each with a summary, and each JSON-rule code with its message and fix', () => {
    const numbers = Object.values(Code);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(Object.keys(CODE_SUMMARIES).map(Number).sort()).toEqual([...numbers].sort());
    for (const code of numbers.filter((n) => n < 2000)) expect(REJECTIONS[code], `SP${code}`).toBeDefined();
  });

  it('are all documented in docs/sidepunch-gen.md', () => {
    for (const code of Object.values(Code))
      expect(docs, `SP${code}`).toMatch(new RegExp(`\\| \`?SP${code}\`? \\|`));
  });
});

describe('option rules', () => {
  it('have a tailored rule for every field of runtime/core/worker.ts WorkerOptions', () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true, compilerOptions: { noLib: true } });
    const options = project
      .addSourceFileAtPath(path.join(REPO, 'runtime/core/worker.ts'))
      .getInterfaceOrThrow('WorkerOptions');
    expect([...OPTION_RULES.keys()]).toEqual(options.getProperties().map((property) => property.getName()));
  });
});

describe('settings', () => {
  it('find the nearest tsconfig.json from the working directory up, with the outputs beside it', () => {
    const app = tempProject({ 'src/deep/file.ts': '' });
    try {
      const config = resolveConfig({}, app.path('src/deep'));
      expect(config.project).toBe(app.path('tsconfig.json'));
      expect(config.out).toBe(app.path('src/sidepunch.generated.ts'));
      expect(config.registry).toBe(app.path('dist/registry.js'));
      expect(config.cache).toBe(app.path('node_modules/.cache/sidepunch-gen/tsconfig.json.json'));
    } finally {
      app.remove();
    }
  });
});

describe('import specifiers in the stubs', () => {
  const from = '/app/src/sidepunch.generated.ts';

  it.each([
    [{ module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }, 'js'],
    [{ module: ts.ModuleKind.Node16 }, 'js'],
    [{ module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }, 'extensionless'],
    [{ moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true }, 'ts'],
    [{ module: ts.ModuleKind.NodeNext, rewriteRelativeImportExtensions: true }, 'ts'],
  ] as const)('follow the tsconfig: %j → %s', (options, style) => {
    expect(specifierStyle(options)).toBe(style);
  });

  it.each([
    ['/app/src/workers/report.ts', 'js', './workers/report.js'],
    ['/app/src/types.mts', 'js', './types.mjs'],
    ['/app/src/legacy.cts', 'js', './legacy.cjs'],
    ['/app/src/view.tsx', 'js', './view.js'],
    ['/app/src/ambient.d.ts', 'js', './ambient.js'],
    ['/app/lib/shared.ts', 'js', '../lib/shared.js'],
    ['/app/src/workers/report.ts', 'extensionless', './workers/report'],
    ['/app/src/workers/report.ts', 'ts', './workers/report.ts'],
    ['/app/src/ambient.d.ts', 'ts', './ambient.js'],
  ] as const)('name %s as %s: %s', (file, style, specifier) => {
    expect(relativeSpecifier(from, file, style)).toBe(specifier);
  });
});
