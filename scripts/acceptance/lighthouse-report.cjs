// Reads one Lighthouse JSON report. Prints a line "SCORES perf a11y bp seo" (0..1, or "null" when
// Lighthouse could not score a category), the performance metrics, any warning or runtime error
// Lighthouse recorded, and every scored audit that did not pass in full.
//
// Usage: node lighthouse-report.cjs REPORT.json
'use strict';
const fs = require('fs');

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ids = ['performance', 'accessibility', 'best-practices', 'seo'];
const score = (id) => {
  const c = report.categories[id];
  return c && typeof c.score === 'number' ? c.score.toFixed(2) : 'null';
};
console.log(`SCORES ${ids.map(score).join(' ')}`);

const metric = (id) => (report.audits[id] || {}).displayValue || '?';
console.log(`  metrics: FCP ${metric('first-contentful-paint')}, LCP ${metric('largest-contentful-paint')}, ` +
  `TBT ${metric('total-blocking-time')}, CLS ${metric('cumulative-layout-shift')}, SI ${metric('speed-index')}`);

for (const w of report.runWarnings || []) console.log(`  warning: ${w}`);
if (report.runtimeError) {
  // Every audit then fails with the same message: say it once.
  console.log(`  runtime error: ${report.runtimeError.code} ${report.runtimeError.message}`);
  process.exit(0);
}

for (const id of ids) {
  const cat = report.categories[id];
  if (!cat) continue;
  for (const ref of cat.auditRefs) {
    if (!ref.weight) continue;
    const a = report.audits[ref.id];
    if (a.scoreDisplayMode === 'notApplicable' || a.scoreDisplayMode === 'manual' ||
        a.scoreDisplayMode === 'informative' || a.score === 1) continue;
    const items = (a.details && a.details.items) || [];
    const what = items.slice(0, 4).map((it) =>
      (it.node && (it.node.selector || it.node.snippet)) || it.url || it.source?.url || it.description || '')
      .filter(Boolean).join(' | ');
    const score = a.score === null ? 'error' : a.score.toFixed(2);
    console.log(`  ${id}: ${ref.id} score ${score} (weight ${ref.weight})` +
      `${a.displayValue ? ' ' + a.displayValue : ''}${a.errorMessage ? ' ' + a.errorMessage : ''}` +
      `${what ? ' -> ' + what : ''}`);
  }
}
