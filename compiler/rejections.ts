/**
 * How each JSON-rule rejection reads: what the offending type is called in the message, and the fix.
 * `Argument 'filters' of GenerateReport.perform is not JSON-serializable: filters.range.from is Date. Pass an
 * ISO string or epoch milliseconds instead.`
 */
import { Code } from './codes.js';

interface Rejection {
  /** Completes "<path> …". */
  readonly what: (typeText: string) => string;
  readonly fix: string;
}

const JSON_TYPE = 'type Json = string | number | boolean | null | Json[] | { [key: string]: Json }';

export const REJECTIONS: Readonly<Record<number, Rejection>> = {
  [Code.Any]: {
    what: () => 'is any, which cannot be checked',
    fix: `Write the type it holds (an interface, a union, …); for free-form data use a recursive ${JSON_TYPE}.`,
  },
  [Code.Unknown]: {
    what: () => 'is unknown, which cannot be checked',
    fix: `Write the type it holds (an interface, a union, …); for free-form data use a recursive ${JSON_TYPE}.`,
  },
  [Code.Undefined]: {
    what: (type) => `is ${type}, which JSON turns into null or drops`,
    fix: 'Use null instead, or make the parameter or property optional.',
  },
  [Code.Date]: {
    what: (type) => `is ${type}`,
    fix: 'Pass an ISO string or epoch milliseconds instead.',
  },
  [Code.Collection]: {
    what: (type) => `is ${type}, which JSON turns into {}`,
    fix: 'Pass an array (for a Set) or a Record<string, T> or an array of [key, value] pairs (for a Map) instead.',
  },
  [Code.RegExp]: {
    what: (type) => `is ${type}, which JSON turns into {}`,
    fix: 'Pass its source (and flags) as strings instead.',
  },
  [Code.Promise]: {
    what: (type) => `is ${type}`,
    fix: 'Await it before enqueueing and pass the result.',
  },
  [Code.Error]: {
    what: (type) => `is ${type}, whose message and stack JSON drops`,
    fix: 'Pass the fields you need (message, name, code) as strings instead.',
  },
  [Code.Binary]: {
    what: (type) => `is ${type}`,
    fix: 'Pass a base64 string (buffer.toString("base64")) instead.',
  },
  [Code.BigInt]: {
    what: (type) => `is ${type}, which JSON.stringify throws on`,
    fix: 'Pass it as a string (String(n)) and read it back with BigInt(s).',
  },
  [Code.Symbol]: {
    what: (type) => `is ${type}, which JSON drops`,
    fix: 'Pass a string instead.',
  },
  [Code.Function]: {
    what: (type) => `is a function (${type}), which JSON drops`,
    fix: 'Pass the data the function needs instead, and call it inside perform.',
  },
  [Code.ClassInstance]: {
    what: (type) =>
      `is an instance of ${type}, which arrives as a plain object without its methods and accessors`,
    fix: 'Pass a plain object type (an interface with its data) and rebuild the instance in perform.',
  },
  [Code.OpenObject]: {
    what: (type) => `is ${type}, which accepts any object and cannot be checked`,
    fix: 'Write its shape as an interface, or Record<string, T> for a map.',
  },
  [Code.TypeParameter]: {
    what: (type) => `is ${type}, a type parameter the build cannot resolve`,
    fix: 'Use a concrete type.',
  },
  [Code.NonStringKey]: {
    what: (type) => `has ${type} keys, but JSON object keys are strings`,
    fix: 'Use string keys: Record<string, T> or { [key: string]: T }.',
  },
  [Code.ToJson]: {
    what: (type) => `is ${type}, which has toJSON(), so what arrives is not this type`,
    fix: 'Pass the value its toJSON() returns instead.',
  },
  [Code.PrivateField]: {
    what: (type) =>
      `is an instance of ${type}, whose #private fields JSON.stringify drops: the worker would get a plain object without them`,
    fix: 'Pass a plain object type (an interface with its data) and rebuild the instance in perform.',
  },
  [Code.LibraryType]: {
    what: (type) => `is ${type}, a built-in type (or one extending it) that JSON does not carry as it is`,
    fix: 'Use plain data: string, number, boolean (not String, Number, Boolean), arrays (T[]) and interfaces of these.',
  },
  [Code.Unresolved]: {
    what: (type) => `is ${type}, which does not resolve`,
    fix: 'Import or declare the type (check its name and its import), then run sidepunch-gen again.',
  },
  [Code.OptionalElement]: {
    what: (type) =>
      `is an optional tuple element of type ${type}: an explicit undefined there arrives as null, which the type does not allow`,
    fix: 'Add null to its type (and pass null for "none"), or enable exactOptionalPropertyTypes so undefined cannot be written there.',
  },
  [Code.Unsupported]: {
    what: (type) => `is ${type}, which the JSON rule cannot read`,
    fix: 'Write it as plain data: strings, numbers, booleans, null, arrays and objects of these.',
  },
};
