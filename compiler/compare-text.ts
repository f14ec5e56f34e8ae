/**
 * `a.localeCompare(b)`'s order (the default locale's), from one collator: the generated files list 2,000 workers
 * sorted at every regeneration, and a collator's compare is many times faster than `localeCompare`.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator().compare;
