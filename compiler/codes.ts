/**
 * Every diagnostic code sidepunch-gen reports. Codes are stable: a code keeps its meaning forever, new kinds get
 * new numbers. SP1xxx: the JSON rule (an argument JSON cannot carry); SP2xxx: a worker the build cannot read;
 * SP3xxx: writing the outputs. docs/sidepunch-gen.md documents each one (a test keeps the two in step).
 */
export const Code = {
  Any: 1001,
  Unknown: 1002,
  Undefined: 1003,
  Date: 1004,
  Collection: 1005,
  RegExp: 1006,
  Promise: 1007,
  Error: 1008,
  Binary: 1009,
  BigInt: 1010,
  Symbol: 1011,
  Function: 1012,
  ClassInstance: 1013,
  OpenObject: 1014,
  TypeParameter: 1015,
  NonStringKey: 1016,
  ToJson: 1017,
  Unsupported: 1018,

  NotExported: 2001,
  DuplicateName: 2002,
  PerformMissing: 2003,
  PerformGeneric: 2004,
  PerformOverloaded: 2005,
  OptionsNotLiteral: 2006,
  OptionValue: 2007,
  UnknownOption: 2008,
  TypeNotImportable: 2009,
  AnonymousWorker: 2010,

  BundleFailed: 3001,
  RegistryOverwritten: 3002,
  CompiledModulesUnknown: 3003,
} as const;

export type CodeNumber = (typeof Code)[keyof typeof Code];

/** One line per code, as the docs list them. */
export const CODE_SUMMARIES: Readonly<Record<CodeNumber, string>> = {
  1001: 'an argument (or part of one) is `any`',
  1002: 'an argument (or part of one) is `unknown`',
  1003: '`undefined` or `void` where JSON cannot carry it',
  1004: '`Date`',
  1005: '`Map`, `Set`, `WeakMap`, `WeakSet`',
  1006: '`RegExp`',
  1007: '`Promise`',
  1008: '`Error` and its subclasses',
  1009: '`Buffer`, `ArrayBuffer`, typed arrays, `DataView`',
  1010: '`bigint`',
  1011: '`symbol`',
  1012: 'a function, a method, or an object with call signatures',
  1013: 'an instance of a class with methods or accessors',
  1014: '`object` or `{}`: accepts any object',
  1015: 'an unresolved type parameter',
  1016: 'a number- or symbol-keyed index signature or property',
  1017: 'a type with a `toJSON()` method',
  1018: 'a type the JSON rule cannot read (`never`, a tuple with elements after its rest, too deep)',
  2001: 'a worker class that is not exported',
  2002: 'two workers with the same class name',
  2003: '`perform` missing, or not a method',
  2004: '`perform` is generic',
  2005: '`perform` is overloaded',
  2006: '`static sidepunchOptions` is not a literal the build can read',
  2007: 'an option with a wrong value (`queue` a non-empty string, `retry` boolean or integer ≥ 0, …)',
  2008: 'an option `WorkerOptions` does not have',
  2009: "a type in `perform`'s parameters that the stubs cannot import (not exported)",
  2010: 'a worker class without a name',
  3001: 'esbuild could not bundle the registry',
  3002: "a project file that tsc compiles onto the registry's path",
  3003: 'the compiled registry mode cannot tell where tsc writes the workers (no JavaScript emitted, no `rootDir`)',
};
