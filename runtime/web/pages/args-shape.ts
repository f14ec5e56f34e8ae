/**
 * On a job's page, when its arguments fail its worker's validator (the registry's, from sidepunch-gen): which
 * generation of the worker's arguments they have (sidepunch.shapes.json) and why they fail, or that the runtime
 * would upgrade them (runtime/core/upgrade.ts). Nothing when they fit or when there is no validator.
 */
import { lookupWorker, type Registry } from '../../core/registry.js';
import { checkArgs } from '../../core/upgrade.js';
import { html, type SafeHtml } from '../html.js';

export function argsShapeNote(
  registry: Registry | undefined,
  className: string | undefined,
  args: readonly unknown[],
): SafeHtml | '' {
  if (!registry || className === undefined) return '';
  const verdict = checkArgs(registry, lookupWorker(registry, className), className, args);
  if (verdict.kind === 'fits') return '';
  const current = registry.generations?.[className]?.current;
  const now = current !== undefined ? ` (now generation ${current})` : '';
  if (verdict.kind === 'upgraded') {
    return html`<p class="args-shape" id="args-shape">These arguments have generation ${verdict.from} of ${className}'s${now}: the runtime upgrades them before it runs the job.</p>`;
  }
  const shape =
    verdict.generation !== undefined
      ? html`These arguments have generation ${verdict.generation} of ${className}'s${now}, but ${verdict.why}.`
      : html`These arguments fit no recorded generation of ${className}'s${now}.`;
  return html`<div class="args-shape error-text" id="args-shape"><p>${shape}</p><p>They fail its validator: <span class="mono">${verdict.problem}</span></p></div>`;
}
