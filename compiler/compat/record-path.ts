/**
 * Where the record of argument shapes lives: beside the stubs. Apart from record.ts because config.ts needs it,
 * and config.ts runs before sidepunch-gen checks that ts-morph is installed (record.ts reaches ts-morph).
 */
import path from 'node:path';

export const RECORD_FILE = 'sidepunch.shapes.json';

export function recordPath(stubsFile: string): string {
  return path.join(path.dirname(stubsFile), RECORD_FILE);
}
