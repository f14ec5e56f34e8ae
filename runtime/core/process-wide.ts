/**
 * State that must be one per process although sidepunch ships twice, as ES modules and as CommonJS (dist/cjs/):
 * an app that loads both (an ES module entry and a CommonJS registry, say) would otherwise have two default clients,
 * two middleware chains, two testing modes. The value lives on globalThis under a `Symbol.for` key, so whichever
 * copy asks first creates it and the other finds it. The key names the shape of the value (`.v1`): a later version
 * that changes it takes a new key rather than misreading an older copy's.
 */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`sidepunch.${name}.v1`);
  // Only this function reads or writes the key, always with the T its name stands for.
  if (!Reflect.has(globalThis, key)) Reflect.set(globalThis, key, create());
  return Reflect.get(globalThis, key) as T;
}
