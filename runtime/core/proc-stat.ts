/** Reading `/proc/<pid>/stat` (Linux): the one place that knows its layout. */
import { readFileSync } from 'node:fs';

/**
 * The fields after the command name, from the state (field 3) on, so field N of proc(5) is at index N - 3;
 * undefined where the process or /proc does not exist.
 */
export function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may hold spaces: count from after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
