/**
 * Every page and action of the dashboard, on Sidekiq's Web UI paths so bookmarks carry over. State changes are
 * POSTs only (dashboard.ts checks their CSRF token before any handler runs).
 */

import { batchesPage, batchPage } from './pages/batches.js';
import { busyAction, busyPage } from './pages/busy.js';
import { dashboardPage } from './pages/dashboard-page.js';
import { jobDetailPage } from './pages/job-detail.js';
import { entryAction, setAction, setAllAction, setPage } from './pages/job-sets.js';
import { limitersPage } from './pages/limiters.js';
import { classMetricsPage, metricsPage } from './pages/metrics-page.js';
import { periodicAction, periodicPage } from './pages/periodic-page.js';
import { clearQueue, deleteQueueJob, queuePage, queuesPage } from './pages/queues.js';
import { statsJson, statsQueuesJson } from './pages/stats-json.js';
import { workflowPage, workflowsPage } from './pages/workflows.js';
import { type Handler, redirect } from './web-context.js';

interface Route {
  readonly method: 'GET' | 'POST';
  /** Segments; `:` captures one segment. */
  readonly pattern: readonly string[];
  readonly handler: Handler;
}

const SET_PATHS = ['retries', 'scheduled', 'morgue'] as const;

const ROUTES: readonly Route[] = [
  route('GET', '/', dashboardPage),
  route('GET', '/stats', statsJson),
  route('GET', '/stats/queues', statsQueuesJson),
  // Sidekiq's older path for /stats, which monitors still poll and Sidekiq 7's Web UI still redirects.
  route('GET', '/dashboard/stats', async () => redirect('/stats')),
  route('GET', '/busy', busyPage),
  route('POST', '/busy', busyAction),
  route('GET', '/queues', queuesPage),
  route('GET', '/queues/:', queuePage),
  route('POST', '/queues/:', clearQueue),
  route('POST', '/queues/:/delete', deleteQueueJob),
  route('GET', '/metrics', metricsPage),
  route('GET', '/metrics/:', classMetricsPage),
  route('GET', '/periodic', periodicPage),
  route('POST', '/periodic', periodicAction),
  route('GET', '/limiters', limitersPage),
  route('GET', '/batches', batchesPage),
  route('GET', '/batches/:', batchPage),
  route('GET', '/workflows', workflowsPage),
  route('GET', '/workflows/:', workflowPage),
  ...SET_PATHS.flatMap((set) => [
    route('GET', `/${set}`, setPage),
    route('POST', `/${set}`, setAction),
    route('POST', `/${set}/all`, setAllAction),
    route('GET', `/${set}/:`, jobDetailPage),
    route('POST', `/${set}/:`, entryAction),
  ]),
];

function route(method: Route['method'], path: string, handler: Handler): Route {
  return { method, pattern: segments(path), handler };
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

export type RouteMatch = { readonly handler: Handler; readonly params: readonly string[] };

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The handler for this request (`path` as sent, still percent-encoded), 'wrong-method' when only another method has one, else undefined. */
export function matchRoute(method: 'GET' | 'POST', path: string): RouteMatch | 'wrong-method' | undefined {
  const parts = segments(path);
  let otherMethod = false;
  for (const candidate of ROUTES) {
    const params = capture(candidate.pattern, parts);
    if (!params) continue;
    // A literal route wins over a capture at the same place: /retries/all is not the entry "all".
    if (candidate.method === method) return { handler: candidate.handler, params };
    otherMethod = true;
  }
  return otherMethod ? 'wrong-method' : undefined;
}

function capture(pattern: readonly string[], parts: readonly string[]): string[] | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ':') {
      const decoded = decodeSegment(parts[i]!);
      if (decoded === undefined) return undefined;
      params.push(decoded);
    } else if (pattern[i] !== parts[i]) return undefined;
  }
  return params;
}
