/**
 * How the stubs module names the files it imports from, in the style the user's tsconfig resolves:
 * NodeNext and Node16 need `.js` (`.mjs`, `.cjs`) extensions, `allowImportingTsExtensions` keeps `.ts`, and the
 * bundler and classic resolutions take extensionless paths.
 */
import path from 'node:path';
import { ts } from 'ts-morph';

export type SpecifierStyle = 'js' | 'ts' | 'extensionless';

export function specifierStyle(options: ts.CompilerOptions): SpecifierStyle {
  if (options.allowImportingTsExtensions || options.rewriteRelativeImportExtensions) return 'ts';
  const resolution = options.moduleResolution;
  const nodeResolution =
    resolution === ts.ModuleResolutionKind.Node16 ||
    resolution === ts.ModuleResolutionKind.NodeNext ||
    (resolution === undefined &&
      options.module !== undefined &&
      options.module >= ts.ModuleKind.Node16 &&
      options.module <= ts.ModuleKind.NodeNext);
  return nodeResolution ? 'js' : 'extensionless';
}

const EMITTED: readonly (readonly [RegExp, string])[] = [
  [/\.d\.mts$/, '.mjs'],
  [/\.d\.cts$/, '.cjs'],
  [/\.d\.ts$/, '.js'],
  [/\.mts$/, '.mjs'],
  [/\.cts$/, '.cjs'],
  [/\.tsx?$/, '.js'],
];

/** `./workers/report.js` for src/workers/report.ts seen from src/sidepunch.generated.ts. */
export function relativeSpecifier(fromFile: string, toFile: string, style: SpecifierStyle): string {
  const key = `${fromFile}\0${toFile}\0${style}`;
  let specifier = specifiers.get(key);
  if (specifier === undefined) {
    specifier = computeSpecifier(fromFile, toFile, style);
    specifiers.set(key, specifier);
  }
  return specifier;
}

/** Computed once per pair: a watcher's regeneration names the same 2,000 files each time. */
const specifiers = new Map<string, string>();

function computeSpecifier(fromFile: string, toFile: string, style: SpecifierStyle): string {
  let relative = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  if (style === 'ts') return relative.replace(/\.d\.(m|c)?ts$/, '.$1js');
  const emitted = EMITTED.find(([pattern]) => pattern.test(relative));
  if (!emitted) return relative;
  const withJs = relative.replace(emitted[0], emitted[1]);
  return style === 'js' ? withJs : withJs.replace(/\.js$/, '');
}
