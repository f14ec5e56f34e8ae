/** An SVG line chart of drain throughput against concurrency, one line per system; no dependencies. */
const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 70, right: 20, top: 40, bottom: 50 };
const COLORS: Record<string, string> = { sidepunch: '#3451b2', bullmq: '#d9480f', sidekiq: '#b31b1b' };

export function throughputChart(sweep: Record<number, Record<string, { rate: number }>>): string {
  const levels = Object.keys(sweep)
    .map(Number)
    .sort((a, b) => a - b);
  const systems = Object.keys(sweep[levels[0]!] ?? {});
  const max = Math.max(...levels.flatMap((level) => systems.map((system) => sweep[level]![system]!.rate)));
  const top = niceCeiling(max);
  const x = (index: number) =>
    PAD.left + (index * (WIDTH - PAD.left - PAD.right)) / Math.max(1, levels.length - 1);
  const y = (rate: number) => HEIGHT - PAD.bottom - (rate / top) * (HEIGHT - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12" role="img">`,
    '<title>Drain throughput in jobs per second by concurrency, Sidepunch and BullMQ</title>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">Drain throughput (jobs/s) by concurrency, no-op jobs</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/>`,
      `<text x="${PAD.left - 8}" y="${y(value) + 4}" text-anchor="end">${Math.round(value).toLocaleString('en-US')}</text>`,
    );
  }
  levels.forEach((level, index) => {
    parts.push(`<text x="${x(index)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${level}</text>`);
  });
  parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle">concurrency</text>`);
  systems.forEach((system, row) => {
    const points = levels.map((level, index) => `${x(index)},${y(sweep[level]![system]!.rate)}`).join(' ');
    const color = COLORS[system] ?? '#555';
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.5"/>`,
      ...levels.map(
        (level, index) =>
          `<circle cx="${x(index)}" cy="${y(sweep[level]![system]!.rate)}" r="3.5" fill="${color}"/>`,
      ),
      `<rect x="${PAD.left + 10}" y="${PAD.top + row * 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${PAD.left + 28}" y="${PAD.top + row * 18 + 10}">${system}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
