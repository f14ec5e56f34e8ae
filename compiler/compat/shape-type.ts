/**
 * A recorded shape as TypeScript type text: the old generations' argument types the stubs export
 * (`SendEmailArgsV1`) and the diagnostic prints, so an upgrade step can be typed before its generation exists.
 * Named shapes (`ref`) print as `<prefix><name>`; `namedTypes` prints their declarations.
 */
import { printKey } from '../print-literal.js';
import type { ArgsShape, Literal, Shape, ShapeTable, TupleShape } from '../shape.js';

export function argsType(args: ArgsShape, params: readonly string[], refPrefix = ''): string {
  if ('union' in args) return args.union.map((list) => tupleType(list, [], refPrefix)).join(' | ');
  return tupleType(args, params, refPrefix);
}

export function namedTypes(table: ShapeTable, refPrefix: string): string[] {
  return Object.entries(table).map(
    ([name, shape]) => `export type ${refPrefix}${name} = ${shapeType(shape, refPrefix)};`,
  );
}

function tupleType(shape: TupleShape, params: readonly string[], refPrefix: string): string {
  const bare = params.map((param) => param.replace(/^\.\.\./, ''));
  const labelled = bare.length === shape.tuple.length + (shape.rest !== undefined ? 1 : 0);
  const elements = shape.tuple.map((element, i) => {
    const optional = i >= shape.min ? '?' : '';
    return labelled
      ? `${bare[i]}${optional}: ${shapeType(element, refPrefix)}`
      : `${shapeType(element, refPrefix)}${optional}`;
  });
  if (shape.rest !== undefined) {
    const rest = `${arrayOf(shapeType(shape.rest, refPrefix))}`;
    elements.push(labelled ? `...${bare.at(-1)}: ${rest}` : `...${rest}`);
  }
  return `[${elements.join(', ')}]`;
}

export function shapeType(shape: Shape, refPrefix = ''): string {
  if (typeof shape === 'string') return shape;
  if ('literal' in shape) return shape.literal.map(literalType).join(' | ');
  if ('pattern' in shape) return shape.like;
  if ('ref' in shape) return `${refPrefix}${shape.ref}`;
  if ('array' in shape) return arrayOf(shapeType(shape.array, refPrefix));
  if ('tuple' in shape) return tupleType(shape, [], refPrefix);
  if ('record' in shape)
    return `Record<${shape.keys?.like ?? 'string'}, ${shapeType(shape.record, refPrefix)}>`;
  if ('union' in shape) return shape.union.map((member) => shapeType(member, refPrefix)).join(' | ');
  const optional = new Set(shape.optional ?? []);
  const members = Object.entries(shape.object).map(
    ([key, value]) => `${printKey(key)}${optional.has(key) ? '?' : ''}: ${shapeType(value, refPrefix)}`,
  );
  if (shape.index !== undefined) {
    members.push(`[key: ${shape.keys?.like ?? 'string'}]: ${shapeType(shape.index, refPrefix)}`);
  }
  return members.length === 0 ? '{}' : `{ ${members.join('; ')} }`;
}

function arrayOf(element: string): string {
  return /^[\w$]+$/.test(element) ? `${element}[]` : `(${element})[]`;
}

function literalType(value: Literal): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
