/**
 * What the analysis hands the generators: one model per worker, already checked. Generators only print these.
 */
import type { ArgsShape } from './shape.js';

/** Where an imported name comes from: a file of the project (made relative per output) or a package specifier. */
export type ModuleRef = { readonly file: string } | { readonly specifier: string };

/** A name the stubs must import type-only: an export name, `default`, or `*` for a namespace import. */
export interface TypeRef {
  readonly module: ModuleRef;
  readonly name: string;
  /** The name the source used, kept when it does not clash. */
  readonly preferred: string;
}

/** A parameter type as source text, with the names that need importing left as references. */
export type TypeText = readonly (string | { readonly ref: TypeRef } | { readonly moduleOf: ModuleRef })[];

export interface ParameterModel {
  readonly name: string;
  readonly optional: boolean;
  readonly rest: boolean;
  readonly type: TypeText;
  /** The annotation itself allows `undefined` (`level?: Level | undefined`): the stubs exclude it where they
   * print the parameter as required. */
  readonly undefinedInType?: boolean;
}

export type OptionValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | { readonly [field: string]: OptionValue };

export interface WorkerModel {
  /** The name on the wire. */
  readonly className: string;
  /** Absolute path of the file that declares the class. */
  readonly file: string;
  /** The name the file exports it under (`default` for a default export). */
  readonly exportName: string;
  /** `sidepunchOptions` in source order. */
  readonly options: readonly (readonly [string, OptionValue])[];
  readonly parameters: readonly ParameterModel[];
  /** The arguments' shape, for the registry's validator. */
  readonly args: ArgsShape;
  /** For a workflow's parent: the class names its `children` declaration takes (docs/workflows.md). */
  readonly children?: readonly string[];
}
