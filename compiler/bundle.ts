/**
 * Bundles the generated registry entry with esbuild into one ESM file for Node 20. Packages stay external
 * (`sidepunch` itself, so the registry shares the runtime's instance, and every npm dependency, so native
 * modules work); the project's own files and the validators are bundled in. Nothing is written here.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';
import { Code } from './codes.js';
import type { Diagnostic } from './diagnostic.js';
import { REGISTRY_HEADER, VALIDATOR_FILE, VALIDATOR_MODULE } from './emit-registry.js';

export interface BundleRequest {
  readonly entry: string;
  readonly projectDir: string;
  readonly tsconfig: string;
  readonly outFile: string;
}

export type BundleResult = { readonly code: string } | { readonly diagnostics: readonly Diagnostic[] };

const validatorModule: esbuild.Plugin = {
  name: 'sidepunch-validators',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${VALIDATOR_MODULE}$`) }, () => ({ path: VALIDATOR_FILE }));
  },
};

export async function bundleRegistry(request: BundleRequest): Promise<BundleResult> {
  try {
    const result = await esbuild.build({
      stdin: {
        contents: request.entry,
        resolveDir: request.projectDir,
        sourcefile: 'sidepunch-registry.ts',
        loader: 'ts',
      },
      absWorkingDir: request.projectDir,
      tsconfig: request.tsconfig,
      outfile: request.outFile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Even when a tsconfig path maps it to sources: the registry must share the runtime's instance.
      external: ['sidepunch', 'sidepunch/*'],
      write: false,
      logLevel: 'silent',
      legalComments: 'none',
      banner: { js: REGISTRY_HEADER },
      plugins: [validatorModule],
    });
    const output = result.outputFiles.find((file) => file.path === path.resolve(request.outFile));
    return { code: output?.text ?? result.outputFiles[0]!.text };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw error;
    return { diagnostics: failure.errors.map((message) => toDiagnostic(message, request.projectDir)) };
  }
}

function toDiagnostic(message: esbuild.Message, projectDir: string): Diagnostic {
  const location = message.location;
  const text = `esbuild could not bundle the registry: ${message.text}`;
  if (!location) {
    return {
      file: '',
      line: 0,
      column: 0,
      length: 0,
      lineText: '',
      code: `SP${Code.BundleFailed}`,
      message: text,
      related: [],
    };
  }
  return {
    file: path.resolve(projectDir, location.file),
    line: location.line,
    column: location.column + 1,
    length: Math.max(1, location.length),
    lineText: location.lineText,
    code: `SP${Code.BundleFailed}`,
    message: text,
    related: [],
  };
}
