/** Commands run in an installed project as its user would run them, failing the test with their output. */
import { spawnSync } from 'node:child_process';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A runner for `project`, with `env` over the test's own environment; a non-zero exit throws. */
export function commandIn(project: string, env: NodeJS.ProcessEnv = {}) {
  return (command: string, args: readonly string[]): CommandResult => {
    const result = spawnSync(command, args, {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`,
      );
    }
    return { stdout: result.stdout, stderr: result.stderr };
  };
}
