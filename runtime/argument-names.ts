// TEMPORARY until the params branch lands.
import type { Registry } from './registry.js';

export function argumentNames(registry: Registry | undefined, className: string, count: number): string[] {
  const declared =
    (registry as { params?: Record<string, readonly string[]> } | undefined)?.params?.[className] ?? [];
  return Array.from({ length: count }, (_, i) => declared[i] ?? `arg${i}`);
}
