/**
 * What a JSON-safe argument looks like, as the JSON rule proves it and as the registry's validators check it.
 * Plain data, printed into the generated registry entry: each worker's arguments are one `tuple`.
 */

export type Primitive = 'string' | 'number' | 'boolean' | 'null';

export type Literal = string | number | boolean;

export type Shape =
  | Primitive
  /** One of these values (literal types, enums). */
  | { readonly literal: readonly Literal[] }
  | { readonly array: Shape }
  /** Positions, how many are required, and what any further elements are. */
  | { readonly tuple: readonly Shape[]; readonly min: number; readonly rest?: Shape }
  /** Named properties (those in `optional` may be absent) and, when it has one, the index signature's values. */
  | {
      readonly object: Readonly<Record<string, Shape>>;
      readonly optional?: readonly string[];
      readonly index?: Shape;
    }
  /** A string-keyed map: `Record<string, T>` or `{ [key: string]: T }`. */
  | { readonly record: Shape }
  | { readonly union: readonly Shape[] }
  /** A named shape from the table, for recursive types. */
  | { readonly ref: string };

export type TupleShape = Extract<Shape, { tuple: unknown }>;

/** A worker's arguments: one list, or one per member of a rest parameter's union of tuples. */
export type ArgsShape = TupleShape | { readonly union: readonly TupleShape[] };

/** Named shapes that `ref`s point to. */
export type ShapeTable = Readonly<Record<string, Shape>>;
