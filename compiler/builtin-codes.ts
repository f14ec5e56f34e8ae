/**
 * The JSON rule's table of built-in objects JSON cannot carry, by name, with the code each is reported with
 * (builtins.ts reads it through TypeScript 6; bench/ts7-api-probe.mjs through TypeScript 7's API). No compiler
 * import here, so the probe loads it without ts-morph.
 */
import { Code } from './codes.js';

export const BUILTINS: ReadonlyMap<string, number> = new Map([
  ['Date', Code.Date],
  ...['Map', 'Set', 'WeakMap', 'WeakSet', 'ReadonlyMap', 'ReadonlySet', 'WeakRef'].map(
    (name) => [name, Code.Collection] as const,
  ),
  ['RegExp', Code.RegExp],
  ['Promise', Code.Promise],
  ['PromiseLike', Code.Promise],
  ['Error', Code.Error],
  ['Object', Code.OpenObject],
  ...['Function', 'CallableFunction', 'NewableFunction'].map((name) => [name, Code.Function] as const),
  ['Symbol', Code.Symbol],
  ['BigInt', Code.BigInt],
  ...['String', 'Number', 'Boolean', 'Array', 'ReadonlyArray', 'IArguments', 'TemplateStringsArray'].map(
    (name) => [name, Code.LibraryType] as const,
  ),
  ...[
    'Buffer',
    'ArrayBuffer',
    'SharedArrayBuffer',
    'DataView',
    'Int8Array',
    'Uint8Array',
    'Uint8ClampedArray',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'Float16Array',
    'Float32Array',
    'Float64Array',
    'BigInt64Array',
    'BigUint64Array',
    'Blob',
  ].map((name) => [name, Code.Binary] as const),
]);
