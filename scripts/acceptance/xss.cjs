// Loads every page where the saved XSS payloads appear, in Debian's headless Chromium (playwright-core), and
// records any sign that one ran:
//   - alert, prompt, confirm or print called (they are replaced before any page script runs), or a dialog;
//   - a request to any address that is not the site (data: and blob: excepted), or the page navigating away;
//   - the Content-Security-Policy refusing a script or handler (markup that should have been text reached
//     the page, and only the policy stopped it).
//
// Usage: node xss.cjs NODE_MODULES BASE_URL EMAIL PASSWORD VISITS_JSON
// The site must trust 127.0.0.1 as a proxy: each search is sent from an address of its own, as readers' are.
// Exits 1 when anything ran, listing the payload and the page.
'use strict';
const fs = require('fs');
const path = require('path');

const [nodeModules, base, email, password, visitsFile] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, 'playwright-core'));
const { visits } = JSON.parse(fs.readFileSync(visitsFile, 'utf8'));

const HOOK = `
  window.__xss = [];
  for (const name of ['alert', 'prompt', 'confirm', 'print']) {
    window[name] = function (message) { window.__xss.push(name + '(' + String(message).slice(0, 80) + ')'); };
  }
  document.addEventListener('securitypolicyviolation', (event) => {
    // Only pages: the browser's own viewer of XML documents (feeds, sitemaps) styles itself inline.
    if (document.contentType !== 'text/html') return;
    window.__xss.push('blocked by the CSP: ' + event.violatedDirective + ' ' + String(event.sample).slice(0, 80));
  });
`;

const findings = [];
let loads = 0;

async function visit(page, url, what) {
  const seen = [];
  const onRequest = (request) => {
    const target = request.url();
    if (!target.startsWith(base) && !target.startsWith('data:') && !target.startsWith('blob:')) seen.push(`request to ${target.slice(0, 120)}`);
  };
  const onDialog = (dialog) => { seen.push(`${dialog.type()} dialog: ${dialog.message().slice(0, 80)}`); dialog.dismiss().catch(() => {}); };
  page.on('request', onRequest);
  page.on('dialog', onDialog);
  try {
    await page.goto(base + url, { waitUntil: 'load', timeout: 30000 });
    // Handlers such as onerror and onload fire as the page loads; give late ones a moment.
    await page.waitForTimeout(30);
    if (!page.url().startsWith(base)) seen.push(`navigated to ${page.url().slice(0, 120)}`);
    const recorded = await page.evaluate(() => window.__xss || []).catch(() => ['the page could not be read after load']);
    seen.push(...recorded);
  } catch (error) {
    seen.push(`load failed: ${String(error.message).split('\n')[0]}`);
  } finally {
    page.off('request', onRequest);
    page.off('dialog', onDialog);
  }
  loads += 1;
  for (const finding of seen) findings.push(`${what} at ${url}: ${finding}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext();
    await context.addInitScript(HOOK);
    const page = await context.newPage();
    await page.goto(`${base}/admin/sign-in`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    if (page.url().includes('/admin/sign-in')) throw new Error('could not sign in');

    // The payloads in two lanes, each its own tab, so that both cores work: a page load is mostly the
    // browser's own work, and one tab at a time leaves the other core idle. Reads only; the site's
    // settings, which every page shows, change one at a time below.
    let reader = 0;
    const lane = async (tab, mine) => {
      for (const v of mine) {
        const what = `payload ${v.n} ${JSON.stringify(v.payload).slice(0, 60)}`;
        await visit(tab, v.article, what);
        // The tags of the article, as its page links them.
        const tags = await tab.$$eval('a[href^="/tag/"]', (links) => links.map((a) => a.getAttribute('href'))).catch(() => []);
        await visit(tab, `/admin/articles/${v.id}`, what);
        reader += 1;
        await tab.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.77.${Math.floor(reader / 250) % 250}.${(reader % 250) + 1}` });
        await visit(tab, `/search?q=${encodeURIComponent(v.payload)}`, what);
        await tab.setExtraHTTPHeaders({});
        if (v.n % 10 === 0) {
          const admin = `/admin/authors/${v.author.split('/').pop()}`;
          for (const url of [v.section, v.author, ...tags.slice(0, 1), `${v.section}feed.xml`, admin]) await visit(tab, url, what);
        }
      }
    };
    const second = await context.newPage();
    await Promise.all([
      lane(page, visits.filter((_, i) => i % 2 === 0)),
      lane(second, visits.filter((_, i) => i % 2 === 1)),
    ]);
    await second.close();
    // Pages that show many payloads at once: every section in the navigation, the newest articles, the
    // feeds, the sitemaps and the back office's lists.
    for (const url of ['/', '/feed.xml', '/atom.xml', '/feed.json', '/sitemaps/pages.xml', '/sitemaps/articles-1.xml',
      '/admin', '/admin/articles', '/admin/media', '/admin/sections', '/admin/authors', '/admin/tags', '/admin/settings']) {
      await visit(page, url, 'lists');
    }
    // The site's own name and description, one payload at a time, on the settings page and the public pages.
    const sample = visits.filter((v) => v.n % 25 === 0);
    for (const v of sample) {
      await page.goto(`${base}/admin/settings`);
      await page.fill('#name', v.payload.slice(0, 500) || 'x');
      await page.fill('#description', v.payload.slice(0, 500));
      await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/settings"] button[type=submit]')]);
      const what = `site name ${v.n} ${JSON.stringify(v.payload).slice(0, 60)}`;
      for (const url of ['/admin/settings', '/', v.article, '/feed.xml']) await visit(page, url, what);
    }
  } finally {
    await browser.close();
  }
  console.log(`xss: ${visits.length} payloads, ${loads} page loads, ${findings.length} finding(s)`);
  if (findings.length) {
    for (const finding of findings.slice(0, 50)) console.log(`FAIL ${finding}`);
    process.exit(1);
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
