// The back office's accessibility, page kind by page kind, in Debian's headless Chromium driven by puppeteer-core
// (the driver Lighthouse itself uses, so both tools look at the very page, form posts included):
//   - axe-core on every page kind, desktop (1280x900) and phone (375x812) widths, light and dark: no violation;
//   - Lighthouse's accessibility category (snapshot mode: the page as it stands, signed in) on every page kind in
//     light and on the three where most colours meet in dark: each at least 0.95 (each run costs seconds, and
//     its checks are axe's, which already saw every page in both schemes);
//   - the keyboard alone: Tab through the menu bar and the editor, open the menus with Enter and Space, close
//     them with Escape, reach Save, and every element that takes focus shows it (its outline or shadow changes).
// The first page seen is the first-run page, before any account exists; then the administrator is created with
// `newsroom user add` (password on standard input), and the rest is seen signed in, or signed out where that is
// the page's use (sign-in, a password link, an error page).
//
// Usage: node admin-quality.cjs NODE_MODULES BASE_URL NEWSROOM_BINARY DATA_DIR IMAGE_FILE
// Prints one line per page and check; exits 1 if any check fails, 2 if the browser cannot be driven at all.
'use strict';
const path = require('path');
const { execFileSync } = require('child_process');
const { pathToFileURL } = require('url');

const [nodeModules, base, binary, dataDir, imageFile] = process.argv.slice(2);
const puppeteer = require(path.join(nodeModules, 'puppeteer-core'));
const axePath = require.resolve(path.join(nodeModules, 'axe-core', 'axe.min.js'));
const axeVersion = require(path.join(nodeModules, 'axe-core', 'package.json')).version;
const lighthouseVersion = require(path.join(nodeModules, 'lighthouse', 'package.json')).version;

const MIN_SCORE = 0.95;
const WIDTHS = [{ name: 'desktop', width: 1280, height: 900 }, { name: 'phone', width: 375, height: 812 }];
const SCHEMES = ['light', 'dark'];
// Page kinds Lighthouse also sees in dark (all are seen in light; axe sees every one in both).
const LIGHTHOUSE_DARK = new Set(['dashboard', 'editor-findings', 'diff']);
// States of a page kind already seen (a refused form, a one-time link shown): axe checks them, Lighthouse not again.
const AXE_ONLY = new Set(['editor-new', 'sign-in-refused', 'articles-filtered', 'users-link', 'tokens-new',
  'password-refused', 'not-found']);
// axe's defaults (WCAG 2.0/2.1 A and AA and best practices) and WCAG 2.2's target size, as for public pages.
const AXE_OPTIONS = { rules: { 'target-size': { enabled: true } } };
const LIGHTHOUSE_CONFIG = {
  extends: 'lighthouse:default',
  settings: { onlyCategories: ['accessibility'], formFactor: 'desktop', screenEmulation: { disabled: true } },
};

const email = 'quality-desk@example.org';
const password = `quality-${Date.now()}-lantern-pass`;
let failures = 0;
const failedKinds = new Set();
const scores = [];
let lighthouse;

function fail(kind, what) {
  failures++;
  failedKinds.add(kind);
  console.log(`FAIL ${kind}: ${what}`);
}

function check(kind, ok, what) {
  if (ok) console.log(`ok   ${kind}: ${what}`);
  else fail(kind, what);
  return ok;
}

async function setScheme(page, scheme) {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  const seen = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  if (seen !== (scheme === 'dark')) throw new Error(`colour scheme ${scheme} not emulated`);
}

/// Checks the page as it stands: axe at both widths in both schemes, Lighthouse in light (and dark for some).
async function audit(page, kind) {
  const before = failures;
  const t0 = Date.now();
  const where = new URL(page.url()).pathname + new URL(page.url()).search;
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: axePath });
  for (const scheme of SCHEMES) {
    await setScheme(page, scheme);
    for (const w of WIDTHS) {
      await page.setViewport({ width: w.width, height: w.height });
      const result = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
      const label = `${kind} axe ${w.name} ${scheme}`;
      if (result.violations.length === 0) continue;
      fail(kind, `${label} ${where}: ${result.violations.length} violation(s)`);
      for (const rule of result.violations) {
        console.log(`     - ${rule.id} (${rule.impact}): ${rule.help} [${rule.nodes.length} node(s)]`);
        for (const node of rule.nodes.slice(0, 6)) {
          const why = (node.any[0] || node.all[0] || node.none[0] || {}).message || '';
          console.log(`         ${node.target.join(' ')}${why ? ' :: ' + why : ''}`);
        }
      }
    }
  }
  await page.setViewport({ width: WIDTHS[0].width, height: WIDTHS[0].height });
  const t1 = Date.now();
  const lhSchemes = AXE_ONLY.has(kind) ? [] : LIGHTHOUSE_DARK.has(kind) ? SCHEMES : ['light'];
  const got = [];
  for (const scheme of lhSchemes) {
    await setScheme(page, scheme);
    const result = await lighthouse.snapshot(page, { config: LIGHTHOUSE_CONFIG });
    const category = result.lhr.categories.accessibility;
    got.push(`${scheme} ${category.score}`);
    scores.push(category.score);
    if (category.score === null || category.score < MIN_SCORE) {
      fail(kind, `Lighthouse accessibility ${category.score} in ${scheme}, want >= ${MIN_SCORE} (${where})`);
      for (const ref of category.auditRefs) {
        const a = result.lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`     - ${a.id}: ${a.title}`);
      }
    }
  }
  await setScheme(page, 'light');
  const took = `axe ${((t1 - t0) / 1000).toFixed(1)} s, Lighthouse ${((Date.now() - t1) / 1000).toFixed(1)} s`;
  if (failures === before) {
    const lh = got.length ? `Lighthouse accessibility ${got.join(', ')}` : 'Lighthouse not run again';
    console.log(`ok   ${kind}: ${where} axe clean at ${WIDTHS.length} widths in ${SCHEMES.length} schemes; ${lh} (${took})`);
  }
}

/// Goes to a path, checks the status, audits.
async function visit(page, kind, urlPath, status = 200) {
  const response = await page.goto(base + urlPath, { waitUntil: 'load' });
  if (!check(kind, response && response.status() === status, `GET ${urlPath} answers ${status}`)) return;
  await audit(page, kind);
}

/// Submits the form a button belongs to, as a click does, and waits for the next page.
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

/// Sets form fields without typing (the editor's script may put its own field over the textarea).
async function setFields(page, values) {
  await page.evaluate((values) => {
    for (const [selector, value] of Object.entries(values)) {
      const field = document.querySelector(selector);
      if (!field) throw new Error(`no field ${selector}`);
      field.value = value;
    }
  }, values);
}

async function signIn(page) {
  await page.goto(`${base}/admin/sign-in`);
  await page.type('#email', email);
  await page.type('#password', password);
  await submit(page, 'button[type=submit]');
}

async function hrefs(page, pattern) {
  return page.$$eval('a[href]', (links, pattern) =>
    links.map((a) => a.getAttribute('href')).filter((h) => new RegExp(pattern).test(h)), pattern);
}

/// What shows focus: the outline and shadow as computed now.
function focusLook(element) {
  const s = getComputedStyle(element);
  return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} | ${s.boxShadow}`;
}

/// Tabs from the top of the page until `until` (a selector) has focus, or to the page's end; every element reached must
/// look different with focus than without. Returns the names of the elements reached, in order.
async function tabThrough(page, kind, until = null, limit = 150) {
  // Each element's look without focus, recorded while nothing has it.
  await page.evaluate((focusLookSource) => {
    const look = new Function(`return (${focusLookSource})`)();
    if (document.activeElement) document.activeElement.blur();
    window.scrollTo(0, 0);
    window.__plainLook = new Map();
    const focusable = 'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]';
    for (const el of document.querySelectorAll(focusable)) {
      window.__plainLook.set(el, look(el));
    }
  }, focusLook.toString());
  const reached = [];
  const unseen = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const step = await page.evaluate((focusLookSource, until) => {
      const look = new Function(`return (${focusLookSource})`)();
      const el = document.activeElement;
      if (!el || el === document.body) return { end: true };
      const state = `:focus ${el.matches(':focus')}, :focus-within ${el.matches(':focus-within')}`;
      const text = (el.textContent || el.value || '').trim().slice(0, 30);
      const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.name ? `[name=${el.name}]` : ''} "${text}"`;
      const plain = window.__plainLook.get(el);
      const focused = look(el);
      const shows = plain !== undefined && focused !== plain;
      return { name, shows, focused: `${focused}; ${state}`, done: Boolean(until) && el.matches(until) };
    }, focusLook.toString(), until);
    if (step.end) break;
    reached.push(step.name);
    if (!step.shows) unseen.push(`${step.name} (${step.focused})`);
    if (step.done) break;
  }
  const missing = unseen.length ? `: not on ${unseen.join('; ')}` : '';
  check(kind, unseen.length === 0, `every element reached by Tab shows focus (${reached.length} reached)${missing}`);
  return reached;
}

/// The menu bar by keyboard: each menu opens with Enter or Space on its summary, its links follow in the Tab
/// order, and Escape closes it with focus back on the summary.
async function menuKeys(page, kind) {
  const menus = await page.$$eval('details.bar-menu > summary', (s) => s.length);
  check(kind, menus >= 2, `the bar has ${menus} menus`);
  for (let m = 0; m < menus; m++) {
    const key = m % 2 === 0 ? 'Enter' : 'Space';
    await page.evaluate(() => { document.activeElement && document.activeElement.blur(); });
    // Tab to this menu's summary.
    let on = false;
    for (let i = 0; i < 40 && !on; i++) {
      await page.keyboard.press('Tab');
      on = await page.evaluate((m) =>
        document.activeElement === document.querySelectorAll('details.bar-menu > summary')[m], m);
    }
    if (!check(kind, on, `menu ${m + 1} is reached by Tab`)) continue;
    await page.keyboard.press(key);
    const open = await page.evaluate((m) => document.querySelectorAll('details.bar-menu')[m].open, m);
    check(kind, open, `menu ${m + 1} opens with ${key}`);
    await page.keyboard.press('Tab');
    const inside = await page.evaluate((m) => {
      const menu = document.querySelectorAll('details.bar-menu')[m];
      const el = document.activeElement;
      return menu.contains(el) && el.tagName !== 'SUMMARY' && el.getBoundingClientRect().height > 0;
    }, m);
    check(kind, inside, `Tab moves into menu ${m + 1}, to a visible item`);
    await page.keyboard.press('Escape');
    const closed = await page.evaluate((m) => {
      const menu = document.querySelectorAll('details.bar-menu')[m];
      return !menu.open && document.activeElement === menu.querySelector('summary');
    }, m);
    check(kind, closed, `Escape closes menu ${m + 1} and leaves focus on its name`);
  }
}

/// The keyboard: Tab through the editor to Save, then the menus of the bar.
async function keyboard(page, editorPath) {
  await page.goto(base + editorPath);
  await tabThrough(page, 'editor', 'button[name=action][value=save]');
  const reachedSave = await page.evaluate(() => document.activeElement.matches('button[name=action][value=save]'));
  check('editor', reachedSave, 'Tab from the top of the editor reaches Save');
  await menuKeys(page, 'editor');
}

function launch() {
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

async function main() {
  lighthouse = await import(pathToFileURL(path.join(nodeModules, 'lighthouse', 'core', 'index.js')).href);
  const browser = await launch();
  console.log(`axe-core ${axeVersion}, Lighthouse ${lighthouseVersion}, ${await browser.version()}`);
  try {
    const out = await (await browser.createBrowserContext()).newPage();
    await out.setBypassCSP(true); // the back office rightly forbids inline script; axe is injected as one
    await visit(out, 'first-run', '/admin/sign-in');
    execFileSync(binary, ['user', 'add', '--data', dataDir, '--email', email, '--name', 'Quinn Quality',
      '--role', 'administrator'], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
    await visit(out, 'sign-in', '/admin/sign-in');
    await out.type('#email', email);
    await out.type('#password', 'not the password at all');
    await submit(out, 'button[type=submit]');
    await audit(out, 'sign-in-refused');
    await visit(out, 'message', '/admin/set-password/no-such-link', 404);

    const page = await (await browser.createBrowserContext()).newPage();
    await page.setBypassCSP(true);
    await signIn(page);
    check('sign-in', !page.url().includes('/admin/sign-in'), 'signed in');

    // Content the page kinds need: an image, a glossary entry, an article with findings and a revision.
    await page.goto(`${base}/admin/media`);
    await (await page.$('#file')).uploadFile(imageFile);
    await page.type('#alt', 'Lanterns along the quay at dusk');
    await submit(page, 'form[enctype] button[type=submit]');
    await audit(page, 'media');
    const imagePages = (await hrefs(page, '^/admin/media/\\d+(/edit)?$'));
    if (imagePages.length) await visit(page, 'media-image', imagePages[0]);
    else console.log('note: the media library links to no page of one image; none checked');

    await page.goto(`${base}/admin/glossary`);
    await setFields(page, { '#accepted': 'Lantern Quay', '#avoid': 'Lanturn Quay', '#language': 'en' });
    await submit(page, 'form.stack button[type=submit]');
    await audit(page, 'glossary');

    await visit(page, 'dashboard', '/admin');
    await visit(page, 'articles', '/admin/articles');
    await visit(page, 'articles-filtered', '/admin/articles?status=published&q=the');
    const articleLinks = await hrefs(page, '^/admin/articles/\\d+$');
    check('articles-filtered', articleLinks.length > 0, 'the filtered list links to articles');
    await visit(page, 'editor', articleLinks[0]);
    await keyboard(page, articleLinks[0]);

    await visit(page, 'editor-new', '/admin/articles/new');
    const section = await page.$eval('#section', (s) => [...s.options].find((o) => o.value).value);
    await setFields(page, {
      '#headline': 'Lanturn Quay lights up for the winter market',
      '#body': 'The stalls on Lanturn Quay open at four.\n\nThe lanterns stay lit until ten.',
      '#section': section,
    });
    await submit(page, 'button[name=action][value=save]');
    const editorPath = new URL(page.url()).pathname;
    check('editor-findings', /^\/admin\/articles\/\d+$/.test(editorPath), `the new article is saved (${editorPath})`);
    check('editor-findings', Boolean(await page.$('.style-findings')), 'the editor lists style-guide findings');
    await audit(page, 'editor-findings');

    // A stale save: the article is saved in another tab after this one opened it.
    const other = await page.browserContext().newPage();
    await other.goto(`${base}${editorPath}`);
    await setFields(page, { '#standfirst': 'Mine: the market opens on Friday.' });
    await setFields(other, { '#standfirst': 'Theirs: the market opens on Saturday.' });
    await submit(other, 'button[name=action][value=save]');
    await other.close();
    await submit(page, 'button[name=action][value=save]');
    const stale = await page.$('details.conflict');
    if (check('editor-stale', Boolean(stale), 'saving over a newer save warns and offers a comparison')) {
      await page.click('details.conflict > summary');
      await audit(page, 'editor-stale');
    }

    await visit(page, 'revisions', `${editorPath}/revisions`);
    const diffs = await hrefs(page, '^/admin/revisions/\\d+$');
    if (check('revisions', diffs.length > 0, 'the revisions page links to a comparison')) await visit(page, 'diff', diffs[0]);

    await visit(page, 'sections', '/admin/sections');
    await visit(page, 'tags', '/admin/tags');
    await visit(page, 'authors', '/admin/authors');
    const authors = await hrefs(page, '^/admin/authors/[^/]+$');
    if (check('authors', authors.length > 0, 'the authors page links to an author')) await visit(page, 'author', authors[0]);

    await visit(page, 'users', '/admin/users');
    await setFields(page, { '#new-email': 'new.reporter@example.org', '#new-user-name': 'Nell Reporter' });
    await submit(page, 'form[action="/admin/users"] button[type=submit]');
    const link = await page.$eval('#link', (i) => i.value).catch(() => '');
    if (check('users-link', Boolean(link), 'inviting someone shows their password link')) {
      await audit(page, 'users-link');
      await visit(out, 'set-password', new URL(link).pathname);
    }

    await visit(page, 'settings', '/admin/settings');
    await tabThrough(page, 'settings'); // the whole page: radios, file fields, selects
    await visit(page, 'import', '/admin/import');
    await visit(page, 'tokens', '/admin/tokens');
    await setFields(page, { '#label': 'Newsletter tool' });
    await submit(page, 'form[action="/admin/tokens"] button[type=submit]');
    check('tokens-new', Boolean(await page.$('#token')), 'a new token is shown once');
    await audit(page, 'tokens-new');
    await visit(page, 'password', '/admin/password');
    await setFields(page, { '#current_password': 'wrong-wrong-wrong', '#new_password': 'a-new-long-password',
      '#confirm_password': 'a-new-long-password' });
    await submit(page, 'form[action="/admin/password"] button[type=submit]');
    await audit(page, 'password-refused');
    await visit(page, 'not-found', '/admin/articles/987654321', 404);
  } finally {
    await browser.close();
  }
  const low = scores.length ? Math.min(...scores) : null;
  if (failures) {
    console.log(`admin-quality: ${failures} failure(s) on: ${[...failedKinds].join(', ')}`);
    process.exit(1);
  }
  console.log(`admin-quality: axe clean everywhere; lowest Lighthouse accessibility ${low} of ${scores.length} reports`);
}

main().catch((e) => {
  console.error(`admin-quality: could not run: ${e && e.stack || e}`);
  process.exit(2);
});
