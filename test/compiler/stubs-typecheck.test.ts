/**
 * The generated stubs type-check in the user's project: right calls compile, wrong ones are errors at the call
 * site (fixtures/gen-app/src/usage.ts marks each with @ts-expect-error, so an accepted wrong call fails too).
 * The stubs are added to the project in memory; nothing is written.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';
import { Project, ts } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { fixtureConfig, REPO } from './support/fixture-config.js';

const APP = path.join(REPO, 'fixtures/gen-app');

describe('generated stubs', () => {
  let stubs: string;

  beforeAll(async () => {
    const result = await generate(fixtureConfig(APP), { skipBundle: true });
    expect(result.diagnostics).toEqual([]);
    stubs = result.outputs[0]!.text;
  });

  it('accept correct calls and reject wrong ones at the call site (tsc, TypeScript 6)', () => {
    const project = new Project({ tsConfigFilePath: path.join(APP, 'tsconfig.json') });
    project.createSourceFile(path.join(APP, 'src/sidepunch.generated.ts'), stubs, { overwrite: true });
    const usage = project.getSourceFileOrThrow(path.join(APP, 'src/usage.ts'));
    const generated = project.getSourceFileOrThrow(path.join(APP, 'src/sidepunch.generated.ts'));
    const errors = [...usage.getPreEmitDiagnostics(), ...generated.getPreEmitDiagnostics()].map(
      (diagnostic) =>
        `${diagnostic.getSourceFile()?.getBaseName()}:${diagnostic.getLineNumber()} TS${diagnostic.getCode()} ${ts.flattenDiagnosticMessageText(diagnostic.getMessageText() as string | ts.DiagnosticMessageChain, ' ')}`,
    );
    expect(errors).toEqual([]);
    expect(usage.getFullText().match(/\/\/ @ts-expect-error/g)?.length).toBe(20);
  });

  it('import worker modules for types only, so enqueueing never loads worker code', async () => {
    const js = (await esbuild.transform(stubs, { loader: 'ts', format: 'esm' })).code;
    const imports = [...js.matchAll(/^import .* from "(.*)";$/gm)].map((match) => match[1]);
    expect(imports).toEqual(['sidepunch']);
    expect(stubs).toMatch(/^import type \{ Filters \} from '\.\/types\.js';$/m);
  });
});
