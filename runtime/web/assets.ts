/**
 * The dashboard's one stylesheet, one script and its icon, served from /assets/ (the Content-Security-Policy allows no
 * inline script or style; without an icon of its own, every page a browser opens asks for /favicon.ico and logs the
 * 404, or the 401 of the application a mounted dashboard sits in). The script does four small things: confirm dialogs,
 * select-all checkboxes, the live switch that refreshes a page's content in place, and the dashboard's jobs-per-second
 * chart from /stats.
 */

export const STYLE = `
:root { --ink: #1d1b26; --muted: #6b6880; --line: #e4e1ec; --panel: #fff; --bg: #f6f4fa; --accent: #6d28d9;
  --processed: #0f9d58; --failed: #d93025; --busy: #1a73e8; --danger: #b3261e; --bar: #1d1b26; --head: #faf9fc;
  --hover: #faf8ff; --badge: #ede9fe; --danger-bg: #fdecea; font-size: 15px; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e8e6f0; --muted: #a09cb4; --line: #36334a; --panel: #1f1d2b; --bg: #16141f; --accent: #b794f6;
    --processed: #34c77b; --failed: #f28b82; --busy: #8ab4f8; --danger: #f28b82; --bar: #0e0d15; --head: #25222f;
    --hover: #29263a; --badge: #3b3160; --danger-bg: #3c1f22; }
}
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: var(--bar); color: #fff; flex-wrap: wrap; }
header .brand { color: #fff; font-weight: 700; font-size: 1.15rem; text-decoration: none; letter-spacing: .02em; }
header nav { display: flex; gap: .25rem; flex: 1; flex-wrap: wrap; }
header nav a { color: #d9d5e8; text-decoration: none; padding: .35rem .7rem; border-radius: 6px; }
header nav a.active, header nav a:hover { background: #ffffff22; color: #fff; }
button.live { background: transparent; color: #d9d5e8; border: 1px solid #ffffff55; }
button.live[aria-pressed="true"] { background: var(--processed); color: #fff; border-color: var(--processed); }
main { padding: 1.25rem 1.5rem 2rem; max-width: 1400px; margin: 0 auto; }
footer { display: flex; gap: 1.5rem; padding: 1rem 1.5rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
h1 { font-size: 1.5rem; margin: 0 0 1rem; } h1 small, h2 small { color: var(--muted); font-weight: 400; font-size: .85rem; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
a { color: var(--accent); }
.mono, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { display: flex; flex-direction: column; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem; text-decoration: none; color: inherit; }
.card .figure { font-size: 1.7rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: .85rem; }
.card.processed .figure { color: var(--processed); } .card.failed .figure, .card.dead .figure { color: var(--failed); }
.card.busy .figure { color: var(--busy); }
.cards.small .figure { font-size: 1.3rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.heading { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; margin-bottom: .75rem; }
.heading h2, .heading p { margin: 0; }
table { border-collapse: collapse; width: 100%; }
table.list { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
table.list th, table.list td { text-align: left; padding: .5rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.list thead th { background: var(--head); color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
table.list tbody tr:hover { background: var(--hover); }
.panel table.list { border: 0; }
table.facts th { text-align: left; color: var(--muted); font-weight: 500; padding: .35rem 1rem .35rem 0; width: 12rem; vertical-align: top; }
table.facts td { padding: .35rem 0; }
.number { text-align: right !important; font-variant-numeric: tabular-nums; }
.args { max-width: 36rem; overflow-wrap: anywhere; }
.args details summary { cursor: pointer; }
.class { font-weight: 600; color: var(--ink); text-decoration: none; }
a.class:hover { text-decoration: underline; }
.error-text { color: var(--danger); overflow-wrap: anywhere; }
.backtrace { background: #1d1b26; color: #e8e6f0; padding: .75rem; border-radius: 8px; margin-top: .5rem; max-height: 24rem; overflow: auto; }
.badge { display: inline-block; background: var(--badge); color: var(--accent); border-radius: 999px; padding: 0 .5rem; font-size: .75rem; }
.badge.quiet { background: #fff4e5; color: #a15c00; }
button { font: inherit; font-size: .85rem; padding: .3rem .75rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); color: var(--ink); cursor: pointer; }
button:hover { border-color: var(--accent); }
button.danger { color: var(--danger); }
button.danger:hover { border-color: var(--danger); background: var(--danger-bg); }
button:disabled { opacity: .45; cursor: default; }
form.inline { display: inline; margin: 0 .2rem 0 0; }
.actions { white-space: nowrap; }
.actions.selected { margin-top: .75rem; }
.search { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.search input { font: inherit; background: var(--panel); color: var(--ink); padding: .3rem .6rem; border: 1px solid var(--line); border-radius: 6px; min-width: 12rem; }
.note { color: var(--muted); }
.empty { color: var(--muted); padding: 1rem 0; }
.error { color: var(--danger); font-weight: 500; }
.pagination { display: flex; gap: .35rem; margin-top: 1rem; align-items: center; }
.pagination a, .pagination span { padding: .25rem .6rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); text-decoration: none; }
.pagination .current { background: var(--accent); color: #fff; border-color: var(--accent); }
.chart { width: 100%; height: auto; display: block; }
.chart polyline { fill: none; stroke-width: 2; }
.chart polyline.processed { stroke: var(--processed); } .chart polyline.failed { stroke: var(--failed); }
.chart circle.processed { fill: var(--processed); } .chart circle.failed { fill: var(--failed); }
.chart .grid { stroke: var(--line); }
.class-chart { margin: 0 0 1rem; } .class-chart figcaption { font-weight: 600; margin-bottom: .25rem; }
.chart .axis { fill: var(--muted); font-size: 11px; }
.legend span.processed { color: var(--processed); } .legend span.failed { color: var(--failed); }
.legend b { color: var(--ink); }
.choices { display: flex; gap: 1rem; }
`;

export const SCRIPT = `
'use strict';
(() => {
  const pollSeconds = Number(document.body.dataset.pollSeconds) || 5;
  // A timer's delay past 2^31 - 1 ms overflows, and it would fire without pause.
  const every = (seconds) => Math.min(seconds * 1000, 2 ** 31 - 1);

  document.addEventListener('submit', (event) => {
    const form = event.target.closest('form[data-confirm]');
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener('change', (event) => {
    if (!event.target.matches('[data-check-all]')) return;
    const form = event.target.closest('form');
    for (const box of form.querySelectorAll('input[name="key"]')) box.checked = event.target.checked;
  });

  // Live: refresh the page's content in place, unless the user is in the middle of something on it: a box checked,
  // a payload unfolded, a field being typed in (a box keeps the focus once clicked, checked or not: it does not count).
  const toggle = document.getElementById('live-toggle');
  let timer;
  const busyHere = () => {
    const content = document.getElementById('content');
    return content.querySelector('input[type=checkbox]:checked, details[open]') !== null ||
      content.contains(document.activeElement) &&
        document.activeElement.matches('input:not([type=checkbox]):not([type=radio]), textarea, select');
  };
  const refresh = async () => {
    if (busyHere()) return;
    try {
      const response = await fetch(location.href, { headers: { 'x-sidepunch-live': '1' } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('content');
      if (next && !busyHere()) {
        document.getElementById('content').replaceChildren(...next.childNodes);
        document.dispatchEvent(new Event('sidepunch:refreshed'));
      }
    } catch {}
  };
  const setLive = (on) => {
    toggle.setAttribute('aria-pressed', String(on));
    localStorage.setItem('sidepunch-live', on ? '1' : '0');
    clearInterval(timer);
    if (on) timer = setInterval(refresh, every(pollSeconds));
  };
  toggle.addEventListener('click', () => setLive(toggle.getAttribute('aria-pressed') !== 'true'));
  if (localStorage.getItem('sidepunch-live') === '1' && !document.getElementById('realtime')) setLive(true);

  // The dashboard: poll /stats, plot processed and failed per second, and keep the figures current.
  const realtime = document.getElementById('realtime');
  if (!realtime) return;
  toggle.hidden = true;
  const width = 900, height = 180, top = 20, left = 56, points = 60;
  const samples = [];
  let last;
  const format = new Intl.NumberFormat('en-US');
  const compact = (n) => n < 10000 ? format.format(n) : new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
  const draw = () => {
    const max = Math.max(1, ...samples.flatMap((s) => [s.processed, s.failed]));
    const x = (i) => left + (i * (width - left - 10)) / (points - 1);
    const y = (v) => height - 10 - (v / max) * (height - top - 10);
    for (const series of ['processed', 'failed']) {
      const offset = points - samples.length;
      realtime.querySelector('polyline.' + series).setAttribute('points',
        samples.map((s, i) => x(offset + i).toFixed(1) + ',' + y(s[series]).toFixed(1)).join(' '));
      const latest = samples.at(-1);
      realtime.querySelector('[data-rate="' + series + '"]').textContent = latest ? latest[series].toFixed(1) : '–';
    }
    realtime.querySelector('[data-role=max]').textContent = format.format(Math.round(max)) + '/s';
  };
  const poll = async () => {
    try {
      const response = await fetch(realtime.dataset.statsUrl, { headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const stats = (await response.json()).sidekiq;
      const now = performance.now();
      if (last) {
        const seconds = (now - last.at) / 1000;
        samples.push({
          processed: Math.max(0, stats.processed - last.processed) / seconds,
          failed: Math.max(0, stats.failed - last.failed) / seconds,
        });
        if (samples.length > points) samples.shift();
        draw();
      }
      last = { at: now, processed: stats.processed, failed: stats.failed };
      for (const element of document.querySelectorAll('[data-stat]')) {
        const value = stats[element.dataset.stat];
        if (typeof value === 'number') {
          element.textContent = compact(value);
          element.title = format.format(value);
        }
      }
      realtime.dataset.samples = String(samples.length);
    } catch {}
  };
  poll();
  setInterval(poll, every(Number(realtime.dataset.pollSeconds) || pollSeconds));
})();
`;

/** The tab's icon: the brand's purple square with a white "S". */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#6d28d9"/><text x="16" y="23" font-family="system-ui, sans-serif" font-size="20" font-weight="700" fill="#fff" text-anchor="middle">S</text></svg>`;
