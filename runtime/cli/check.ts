/**
 * `sidepunch-run check <registry.js>`: the in-flight check before (or after) a deploy (docs/deploys.md). Loads the
 * registry about to run, reads every stored job (api/in-flight.ts) and prints, per worker and generation of its
 * arguments, the jobs it would reject or upgrade, and those of classes it lacks. Changes nothing. Exit 0 when none
 * would be rejected, 1 when some would (or the registry or Redis fails: one line), 2 on bad usage.
 */
import { openApiConnection } from '../api/api-connection.js';
import { checkInFlight, type InFlightReport } from '../api/in-flight.js';
import { LineLogger } from '../core/logger.js';
import { loadRegistry, RegistryError } from '../core/registry.js';
import { redactUrl } from '../redis/redis-url.js';
import { ConfigError, checkedRedisUrl, DEFAULTS as RUN_DEFAULTS } from '../server/run-config.js';
import { parseCommandLine, registryArgument } from './command-line.js';
import { UsageError, usageLine, versionLine } from './usage.js';

export const CHECK_HELP = `Usage: sidepunch-run check [options] <registry.js>

Reads every job already stored (each queue, the scheduled and retry sets, the jobs in progress, the
callbacks of live batches, the workflow parents waiting for their children) and reports, per worker
and generation of its arguments (sidepunch.shapes.json), the jobs <registry.js> would reject or
upgrade, and the jobs of classes it has no worker for (a worker removed or renamed).
Changes nothing. Run it against production Redis before a deploy: exit 1 when a job would be rejected
or has no worker, 0 otherwise.

Options:
      --redis URL           Redis to read (default: $REDIS_URL or ${RUN_DEFAULTS.redis})
      --namespace NS        the key prefix the fleet uses (default: none, or $SIDEPUNCH_NAMESPACE)
      --json                print the report as JSON (InFlightReport, docs/api.md)
      --allow-unknown-classes
                            jobs of classes the registry lacks do not fail the check (another app
                            or Ruby Sidekiq on the same Redis runs them)
  -h, --help                show this help
  -V, --version             show the version
`;

export async function checkMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let options: {
    registry: string;
    redis: string;
    namespace?: string;
    json: boolean;
    allowUnknownClasses: boolean;
  };
  try {
    const { values, positionals } = parseFlags(argv);
    if (values.help || values.version) {
      process.stdout.write(values.help ? CHECK_HELP : versionLine('sidepunch-run'));
      return 0;
    }
    const registryFile = registryArgument(positionals);
    if (registryFile === undefined) throw new UsageError('check needs the registry file');
    options = {
      registry: registryFile,
      redis: checkedRedisUrl(values.redis ?? (env.REDIS_URL || RUN_DEFAULTS.redis)),
      namespace: values.namespace ?? (env.SIDEPUNCH_NAMESPACE || undefined),
      json: values.json ?? false,
      allowUnknownClasses: values['allow-unknown-classes'] ?? false,
    };
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    process.stderr.write(usageLine('sidepunch-run check', error.message));
    return 2;
  }
  let registry: Awaited<ReturnType<typeof loadRegistry>>;
  try {
    registry = await loadRegistry(options.registry);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    process.stderr.write(`sidepunch-run check: ${error.message}\n`);
    return 1;
  }
  // The failure is reported below in one line, with the connection's cause: no outage line before it.
  const connection = openApiConnection(
    { redis: options.redis, namespace: options.namespace },
    'check',
    new LineLogger('error', process.stderr),
  );
  let cause: string | undefined;
  connection.redis.on('error', (error: Error & { code?: string }) => {
    cause ??= error.code ?? error.message;
  });
  let report: InFlightReport;
  try {
    report = await checkInFlight(connection, registry);
  } catch (error) {
    const reason = cause ? `${cause} (${(error as Error).message})` : (error as Error).message;
    process.stderr.write(`sidepunch-run check: cannot read ${redactUrl(options.redis)}: ${reason}\n`);
    return 1;
  } finally {
    await connection.close();
  }
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.reject > 0 || (report.unknown > 0 && !options.allowUnknownClasses) ? 1 : 0;
}

/** The report as a person reads it: a summary line, then one block per group. */
export function formatReport(report: InFlightReport): string {
  const lines = [
    `sidepunch-run check: ${count(report.checked, 'job')} read: ${report.fit} fit, ${report.upgrade} to upgrade, ` +
      `${report.reject} rejected${report.unknown > 0 ? `, ${report.unknown} of classes this registry lacks` : ''}`,
  ];
  for (const group of report.groups) {
    const generation = group.generation !== undefined ? ` (generation ${group.generation})` : '';
    lines.push(
      `  ${VERDICT_WORDS[group.verdict]} ${group.className}${generation}: ${count(group.count, 'job')}`,
    );
    lines.push(`    ${group.reason}`);
    const where = Object.entries(group.where).map(([place, n]) => `${place} ${n}`);
    lines.push(
      `    in ${where.join(', ')}; jids ${group.jids.join(', ')}${group.count > group.jids.length ? ', …' : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const VERDICT_WORDS = { reject: 'REJECT ', upgrade: 'upgrade', unknown: 'UNKNOWN' } as const;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function parseFlags(argv: readonly string[]) {
  return parseCommandLine(argv, {
    redis: { type: 'string' },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
    'allow-unknown-classes': { type: 'boolean' },
  });
}
