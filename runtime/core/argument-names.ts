/**
 * Names a job's arguments from the registry's `params` (`perform`'s parameter names), for the web dashboard:
 * `['orderId', 'email', '...tags']` names five arguments `orderId, email, tags[0], tags[1], tags[2]`. Arguments
 * no name covers (a class not listed, or more arguments than parameters) are named by index: `arg0`, `arg1`, ….
 */
import type { Registry } from './registry.js';

export function argumentNames(registry: Registry | undefined, className: string, count: number): string[] {
  const params = registry?.params;
  const declared = params && Object.hasOwn(params, className) ? params[className] : undefined;
  const names = Array.isArray(declared) ? declared : [];
  const restIndex = names.findIndex((name) => name.startsWith('...'));
  const rest = restIndex >= 0 ? names[restIndex]!.slice(3) : undefined;
  return Array.from({ length: count }, (_, index) => {
    if (rest !== undefined && index >= restIndex) return `${rest}[${index - restIndex}]`;
    return names[index] ?? `arg${index}`;
  });
}
