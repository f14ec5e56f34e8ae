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
  | PatternShape
  | { readonly array: Shape }
  /** Positions, how many are required, and what any further elements are. */
  | { readonly tuple: readonly Shape[]; readonly min: number; readonly rest?: Shape }
  /**
   * Named properties (those in `optional` may be absent) and, when it has one, the index signature's values, at
   * every other key or, with `keys`, at the keys that match it (`[slot: \`slot-${number}\`]: T`).
   */
  | {
      readonly object: Readonly<Record<string, Shape>>;
      readonly optional?: readonly string[];
      readonly index?: Shape;
      readonly keys?: PatternShape;
    }
  /** A string-keyed map: `Record<string, T>` or `{ [key: string]: T }`; with `keys`, only the keys matching it. */
  | { readonly record: Shape; readonly keys?: PatternShape }
  | { readonly union: readonly Shape[] }
  /** A named shape from the table, for recursive types. */
  | { readonly ref: string };

/**
 * A string a template literal type allows (`order-${number}`): `pattern` is an anchored regular expression's
 * source, `like` the type as TypeScript prints it, for messages.
 */
export interface PatternShape {
  readonly pattern: string;
  readonly like: string;
}

export type TupleShape = Extract<Shape, { tuple: unknown }>;

/** A worker's arguments: one list, or one per member of a rest parameter's union of tuples. */
export type ArgsShape = TupleShape | { readonly union: readonly TupleShape[] };

/** Named shapes that `ref`s point to. */
export type ShapeTable = Readonly<Record<string, Shape>>;
