/** Types of scripts/bundle-ts.mjs, for the TypeScript tests that use it. */
export function bundleTs(entry: string, outfile: string, options?: { resolveDir?: string }): Promise<void>;
