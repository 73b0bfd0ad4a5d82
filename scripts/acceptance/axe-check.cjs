// Runs axe-core in Debian's Chromium, driven by playwright-core, on every page kind, in a phone and a
// desktop viewport and in both colour schemes (contrast differs between them).
//
// Usage: node axe-check.cjs NODE_MODULES BASE_URL kind=path[@status] ...
// Prints one line per page/viewport/scheme and every violation (rule id, impact, targets); exits 1 on
// any violation or unexpected status, 2 when the browser cannot be driven at all.
'use strict';
const path = require('path');

const [nodeModules, base, ...pages] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, 'playwright-core'));
const axePath = require.resolve(path.join(nodeModules, 'axe-core', 'axe.min.js'));
const axeVersion = require(path.join(nodeModules, 'axe-core', 'package.json')).version;

const VIEWPORTS = [
  { name: 'mobile', width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'desktop', width: 1280, height: 900, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
];
const SCHEMES = ['light', 'dark'];
// axe's defaults (WCAG 2.0/2.1 A and AA plus best practices), and WCAG 2.2's target size, which axe
// ships disabled: tap targets on phones matter to this site.
const AXE_OPTIONS = { rules: { 'target-size': { enabled: true } } };

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`axe-core ${axeVersion}, ${browser.version()}`);
  let failures = 0;
  const failedPages = new Set();
  try {
    for (const vp of VIEWPORTS) {
      for (const scheme of SCHEMES) {
        const context = await browser.newContext({
          viewport: { width: vp.width, height: vp.height },
          isMobile: vp.isMobile,
          hasTouch: vp.hasTouch,
          deviceScaleFactor: vp.deviceScaleFactor,
          colorScheme: scheme,
          // The site's Content-Security-Policy rightly forbids inline script; the checker injects axe as one.
          bypassCSP: true,
        });
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        for (const spec of pages) {
          const [, kind, urlPath, status] = spec.match(/^([^=]+)=([^@]+)(?:@(\d+))?$/);
          const want = Number(status || 200);
          const label = `${kind.padEnd(9)} ${vp.name.padEnd(7)} ${scheme.padEnd(5)}`;
          const response = await page.goto(base + urlPath, { waitUntil: 'load' });
          if (!response || response.status() !== want) {
            console.log(`FAIL ${label} ${urlPath}: status ${response && response.status()}, want ${want}`);
            failures++;
            failedPages.add(kind);
            continue;
          }
          const schemeSeen = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
          if (schemeSeen !== (scheme === 'dark')) throw new Error(`colour scheme ${scheme} not emulated`);
          await page.addScriptTag({ path: axePath });
          const result = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
          const v = result.violations;
          if (v.length === 0) {
            console.log(`ok   ${label} ${urlPath} (${result.passes.length} rules pass, ${result.incomplete.length} need review)`);
            continue;
          }
          failures += v.length;
          failedPages.add(kind);
          console.log(`FAIL ${label} ${urlPath}: ${v.length} violation(s)`);
          for (const rule of v) {
            console.log(`     - ${rule.id} (${rule.impact}): ${rule.help} [${rule.nodes.length} node(s)]`);
            for (const node of rule.nodes.slice(0, 8)) {
              const why = (node.any[0] || node.all[0] || node.none[0] || {}).message || '';
              console.log(`         ${node.target.join(' ')}${why ? ' :: ' + why : ''}`);
            }
            if (rule.nodes.length > 8) console.log(`         ... and ${rule.nodes.length - 8} more`);
          }
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  if (failures) {
    console.log(`axe: ${failures} failure(s) on: ${[...failedPages].join(', ')}`);
    process.exit(1);
  }
  console.log(`axe: no violations on ${pages.length} pages x ${VIEWPORTS.length} viewports x ${SCHEMES.length} colour schemes`);
}

main().catch((e) => {
  console.error(`axe: could not run: ${e && e.stack || e}`);
  process.exit(2);
});
