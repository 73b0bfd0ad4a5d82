// The back office end to end, as an editor uses it, in Debian's headless Chromium (playwright-core): sign in,
// upload an image to the media library, write an article with that lead image, publish it, then find it on
// the public site, with its image, on its page, on the home page and in search. Then the editor's script, by
// typing: the live preview, the autosave, the warning before leaving, the copy kept in the browser while
// signed out and offered back after signing in, the rich editor's shortcuts and toolbar and its Markdown, and a
// new article saved as a draft by its first autosave. Then previews: that draft as readers will see it, at desktop
// and phone widths, and through a private link opened in a fresh, signed-out browser. Last, scheduling in browsers
// of two locales and zones: the same date and 24-hour time typed, read back and described alike, in the site's zone.
//
// Usage: node admin-e2e.cjs NODE_MODULES BASE_URL EMAIL PASSWORD IMAGE_FILE
// Prints each step; exits 1 at the first step that fails.
'use strict';
const path = require('path');

const [nodeModules, base, email, password, imageFile] = process.argv.slice(2);
const { chromium } = require(path.join(nodeModules, 'playwright-core'));

function check(ok, what) {
  if (!ok) throw new Error(`FAIL: ${what}`);
  console.log(`ok   ${what}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const headline = `Tide gauge upgrade finished on the east pier ${Date.now()}`;
  try {
    const page = await (await browser.newContext()).newPage();

    await page.goto(`${base}/admin`);
    check(page.url().includes('/admin/sign-in'), 'the back office asks to sign in');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(!page.url().includes('/admin/sign-in'), 'signed in');

    await page.goto(`${base}/admin/media`);
    await page.setInputFiles('#file', imageFile);
    await page.fill('#alt', 'A new tide gauge bolted to the pier wall');
    await page.fill('#caption', 'The gauge reports every minute.');
    await Promise.all([page.waitForNavigation(), page.click('form[enctype] button[type=submit]')]);
    check((await page.content()).includes('A new tide gauge bolted to the pier wall'), 'the image is in the media library');
    await mediaLibrary(page);

    await page.goto(`${base}/admin/articles/new`);
    await page.fill('#headline', headline);
    await page.fill('#standfirst', 'Harbour staff can now read the water level from the office.');
    // Written in the rich editor with its shortcuts, as a reporter would.
    await page.click('.pm-content');
    await page.keyboard.type('The old gauge was read by eye.\nThe new one ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('reports itself');
    await page.keyboard.press('Control+b');
    await page.keyboard.type(', every minute.');
    const imageOption = await page.$eval('#lead_image', (select) =>
      [...select.options].find((o) => o.textContent.includes('tide gauge'))?.value);
    check(Boolean(imageOption), 'the uploaded image can be chosen as the lead image');
    await page.selectOption('#lead_image', imageOption);
    await page.waitForFunction(() => document.querySelector('#lead-size-warning').textContent.includes('only 96 pixels wide'));
    check(true, 'choosing the 96-pixel image as the lead warns, before saving, that it is under 1200 pixels wide');
    const section = await page.$eval('#section', (select) => [...select.options].find((o) => o.value)?.value);
    check(Boolean(section), 'a section can be chosen');
    await page.selectOption('#section', section);
    await page.fill('#tags', 'Harbour, Technology');
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
    check(!(await page.content()).includes('class="error"'), 'the article saved without errors');
    check((await page.textContent('#lead-size-warning')).includes('only 96 pixels wide'), 'the saved article still warns of its narrow lead image');
    const editorUrl = new URL(page.url()).pathname;

    await page.goto(`${base}/`);
    const link = await page.$(`a:has-text("${headline}")`);
    check(Boolean(link), 'the home page lists the new article');
    await Promise.all([page.waitForNavigation(), link.click()]);
    const response = await page.goto(page.url());
    check(response.status() === 200, `its page answers 200 at ${new URL(page.url()).pathname}`);
    check((await page.textContent('h1')).includes(headline), 'its page shows the headline');
    const image = await page.$('img[alt="A new tide gauge bolted to the pier wall"]');
    check(Boolean(image), 'its page shows the lead image with its alt text');
    const loaded = await image.evaluate((img) => img.complete && img.naturalWidth > 0);
    check(loaded, 'the lead image loads');
    check((await page.content()).includes('<strong>reports itself</strong>'), 'the Markdown body is rendered');

    // Search follows within a second of the save; allow a little more for a loaded machine.
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.goto(`${base}/search?q=${encodeURIComponent('tide gauge pier')}`);
      found = (await page.content()).includes(headline);
      if (!found) await page.waitForTimeout(250);
    }
    check(found, 'search finds the new article');

    await desk(page, editorUrl);
    await preview(browser, page);
    await scheduling(browser, page);
  } finally {
    await browser.close();
  }
}

/// The media library: searched by typing, an image's page opened from the grid, its focal point set by a click
/// and by keyboard, each kept after a reload.
async function mediaLibrary(page) {
  await page.fill('#q', 'TIDE GAUGE');
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  check(new URL(page.url()).searchParams.get('q') === 'TIDE GAUGE', 'the library search is in the address');
  const found = await page.$('.media-grid a:has-text("A new tide gauge bolted to the pier wall")');
  check(Boolean(found), 'searching the library finds the image by its alt text, in any case');
  await page.fill('#q', 'no such picture anywhere');
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  check((await page.textContent('main')).includes('No image matches'), 'a search that matches nothing says so');
  await page.fill('#q', 'gauge');
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  await Promise.all([page.waitForNavigation(), page.click('.media-grid a:has-text("A new tide gauge bolted to the pier wall")')]);
  check(/\/admin\/media\/\d+$/.test(page.url()), 'the grid opens the image\'s own page');
  check(await page.isVisible('#focus-marker'), 'the focal point is marked on the picture');

  // A click a quarter across and three quarters down.
  const box = await (await page.$('#focus-image')).boundingBox();
  await Promise.all([
    page.waitForNavigation(),
    page.click('#focus-image', { position: { x: box.width * 0.25, y: box.height * 0.75 } }),
  ]);
  await page.reload();
  const across = parseFloat(await page.inputValue('#focus-x'));
  const down = parseFloat(await page.inputValue('#focus-y'));
  check(Math.abs(across - 0.25) < 0.03 && Math.abs(down - 0.75) < 0.03, `the clicked focal point is kept after a reload (${across}, ${down})`);
  const marker = await (await page.$('#focus-marker')).boundingBox();
  const image = await (await page.$('#focus-image')).boundingBox();
  const markedAt = (marker.x + marker.width / 2 - image.x) / image.width;
  check(Math.abs(markedAt - 0.25) < 0.03, 'and the marker shows it there');

  // By keyboard: the fields, then Enter.
  await page.focus('#focus-x');
  await page.fill('#focus-x', '0.8');
  await Promise.all([page.waitForNavigation(), page.press('#focus-x', 'Enter')]);
  await page.reload();
  check(parseFloat(await page.inputValue('#focus-x')) === 0.8, 'a focal point typed in is kept after a reload');
  const crops = await page.$$eval('.crops img', (images) => images.map((i) => i.complete && i.naturalWidth > 0));
  check(crops.length === 4 && crops.every(Boolean), 'the four crops are shown and load');
}

/// Types at the end of the body in the rich editor, as a person would.
async function typeInBody(page, text) {
  await page.click('.pm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text, { delay: 5 });
}

async function signIn(page) {
  await page.goto(`${base}/admin/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

/// The editor's script, used as a writer would.
async function desk(page, editorUrl) {
  await page.goto(`${base}${editorUrl}`);
  const publicPath = await page.$eval('a:has-text("View on the site")', (a) => a.getAttribute('href'));
  await typeInBody(page, '\n\nTide tables follow next week.');
  await page.waitForFunction(() =>
    document.querySelector('#live-preview .preview-body')?.textContent.includes('Tide tables follow next week.'));
  check(await page.isVisible('#live-preview'), 'the live preview shows what is typed, as it is typed');
  await page.waitForFunction(() => document.querySelector('#autosave-status').textContent.includes('Autosaved '));
  check(true, `the text is autosaved a few seconds after typing stops: "${await page.textContent('#autosave-status')}"`);
  const readers = await (await page.request.get(`${base}${publicPath}`)).text();
  check(!readers.includes('Tide tables follow'), 'readers do not see autosaved text');

  await typeInBody(page, ' Ferries keep their times.');
  let asked = null;
  page.once('dialog', (dialog) => { asked = dialog.type(); dialog.accept(); });
  await page.goto(`${base}/admin/articles`);
  check(asked === 'beforeunload', 'leaving with text the server has not got asks first');
  await page.goto(`${base}${editorUrl}`);
  check((await page.content()).includes('that are not saved'), 'the editor offers the autosave back');
  check(await page.isVisible('.local-copy'), 'and the newer copy kept in this browser');
  await page.click('.local-copy button:has-text("Restore it")');
  check((await page.inputValue('#body')).includes('Ferries keep their times.'), 'restoring the copy brings back every word');

  // Signed out (the session expired): nothing typed is lost.
  await page.context().clearCookies();
  await typeInBody(page, ' Buses too.');
  await page.waitForFunction(() => document.querySelector('#autosave-status').textContent.includes('Not autosaved'));
  check(/signed out.*kept in this browser/.test(await page.textContent('#autosave-status')),
    `signed out, the editor says so and keeps a copy: "${await page.textContent('#autosave-status')}"`);
  page.once('dialog', (dialog) => dialog.accept());
  await signIn(page);
  await page.goto(`${base}${editorUrl}`);
  check(await page.isVisible('.local-copy'), 'signed in again, the copy is offered back');
  await page.click('.local-copy button:has-text("Restore it")');
  check((await page.inputValue('#body')).includes('Buses too.'), 'and restored');
  await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
  check((await page.content()).includes('Saved.'), 'then saved');
  await page.reload();
  check(!(await page.isVisible('.local-copy')) && !(await page.content()).includes('that are not saved'),
    'once saved, nothing more is offered');
  const published = await (await page.request.get(`${base}${publicPath}`)).text();
  check(published.includes('Buses too.'), 'and readers see the saved text');

  await richText(page, editorUrl);

  // A new article is saved as a draft by its first autosave, and its address becomes its own.
  await page.goto(`${base}/admin/articles/new`);
  await page.fill('#headline', `Harbour master's log goes online ${Date.now()}`);
  const section = await page.$eval('#section', (select) => [...select.options].find((o) => o.value)?.value);
  await page.selectOption('#section', section);
  await typeInBody(page, 'Every entry since 1990 is now searchable.');
  await page.waitForFunction(() => /\/admin\/articles\/\d+$/.test(location.pathname), null, { timeout: 15000 });
  check((await page.textContent('#autosave-status')).includes('Saved as a draft'), `a new article is kept as a draft at ${new URL(page.url()).pathname}`);
  check((await page.textContent('#body-count')) === '7 words, about 1 minute to read', 'the body counts its words and reading time');
  check(/^\d+ characters$/.test(await page.textContent('#headline-count')), 'the headline counts its characters');
  await page.reload();
  check((await page.inputValue('#body')).includes('Every entry since 1990'), 'reloaded, its text is there');
  check((await page.inputValue('#status')) === 'draft', 'as a draft');
}

/// The rich editor's Markdown shortcuts and toolbar, what the form sends, and the switch to Markdown and back.
async function richText(page, editorUrl) {
  await page.goto(`${base}${editorUrl}`);
  await typeInBody(page, '\n## What changes for boats\n');
  check(await page.isVisible('.pm-content h2:has-text("What changes for boats")'), 'typing ## and a space makes a subheading');
  await page.keyboard.type('- Moorings are renumbered\nSlipway hours are longer\n\n');
  check((await page.locator('.pm-content ul > li').count()) === 2, 'typing - and a space starts a list; Enter twice ends it');
  await page.keyboard.type('Ask the harbour office');
  for (let i = 0; i < 'harbour office'.length; i++) await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Control+k');
  await page.fill('#pm-link-address', 'https://harbour.example/office');
  await page.keyboard.press('Enter');
  check(await page.isVisible('.pm-content a[href="https://harbour.example/office"]:text-is("harbour office")'),
    'Ctrl+K links the selected words');
  await page.keyboard.press('End');
  await page.keyboard.type(' or read the *notice* first.');
  check(await page.isVisible('.pm-content em:has-text("notice")'), 'typing *notice* makes it italic');
  await page.click('.pm-toolbar button[title^="Quotation"]');
  check(await page.isVisible('.pm-content blockquote'), 'the toolbar makes a quotation');
  await page.waitForFunction(() => /^> .*notice/m.test(document.querySelector('#body').value));
  const markdown = await page.inputValue('#body');
  check(markdown.includes('- Moorings are renumbered\n- Slipway hours are longer') &&
    markdown.includes('*notice*') && /^> .*notice/m.test(markdown),
  'the form holds the Markdown of what was typed');
  check(markdown.startsWith('The old gauge was read by eye.'), 'and the paragraphs not edited exactly as they were');
  // An image pasted into the text: described, uploaded to the library, in place, and a figure for readers.
  await page.keyboard.press('Control+End');
  const png = require('fs').readFileSync(imageFile).toString('base64');
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const clipboard = new DataTransfer();
    clipboard.items.add(new File([bytes], 'buoy.png', { type: 'image/png' }));
    document.querySelector('.pm-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
  }, png);
  check(await page.isVisible('#pm-image-alt'), 'pasting an image asks for its alt text, caption and credit');
  await page.click('.pm-image-panel button:has-text("Upload and insert")');
  check((await page.textContent('.pm-image-message')).includes('alt text'), 'without alt text it is not uploaded, and says why');
  await page.fill('#pm-image-alt', 'A yellow buoy off the east pier');
  await page.fill('#pm-image-caption', 'The new buoy marks the channel.');
  await page.fill('#pm-image-credit', 'Harbour Ledger');
  await page.click('.pm-image-panel button:has-text("Upload and insert")');
  await page.waitForSelector('.pm-content img[alt="A yellow buoy off the east pier"]');
  check(await page.isVisible('.pm-content .pm-caption:has-text("The new buoy marks the channel.")'), 'the image appears in the text with its caption');
  await page.waitForFunction(() => /!\[A yellow buoy off the east pier\]\(\/media\/uploads\/[^ ]+ "The new buoy marks the channel\. \(Harbour Ledger\)"\)/.test(document.querySelector('#body').value));
  check(true, 'and in the Markdown, from the media library');
  const library = await (await page.request.get(`${base}/admin/media`)).text();
  check(library.includes('A yellow buoy off the east pier'), 'the media library has it');
  await page.click('.pm-mode');
  check(await page.isVisible('#body') && !(await page.isVisible('.pm-content')), 'Edit as Markdown shows the Markdown');
  await page.fill('#body', (await page.inputValue('#body')) + '\n\nA last line, written as **Markdown**.\n');
  await page.click('.pm-back');
  check(await page.isVisible('.pm-content strong:has-text("Markdown")'), 'and Edit as rich text shows what was written there');
  await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
  await page.reload();
  check(await page.isVisible('.pm-content h2:has-text("What changes for boats")') &&
    await page.isVisible('.pm-content a[href="https://harbour.example/office"]'), 'saved and reloaded, the formatting is there');
  const story = await (await page.request.get(`${base}${await page.$eval('a:has-text("View on the site")', (a) => a.getAttribute('href'))}`)).text();
  check(/<figure><img src="\/media\/uploads\/[^"]+" alt="A yellow buoy off the east pier"[^>]*><figcaption>The new buoy marks the channel\. \(Harbour Ledger\)<\/figcaption><\/figure>/.test(story),
    'readers get the pasted image as a figure with its caption');
}

/// The draft open in `page` as readers will see it: the editor's full-page preview at desktop and phone widths,
/// and a private preview link opened in a fresh, signed-out browser context.
async function preview(browser, page) {
  const editorPath = new URL(page.url()).pathname;
  const headline = await page.inputValue('#headline');
  await page.setViewportSize({ width: 1280, height: 900 });
  check(await page.isVisible('a:has-text("Preview as a page")'), 'the editor offers a full-page preview');
  await page.goto(`${base}${editorPath}/preview`);
  const frameWidth = async () => (await page.$('iframe.preview-frame')).evaluate((f) => f.getBoundingClientRect().width);
  const framed = page.frameLocator('iframe.preview-frame');
  await framed.locator('h1.story-headline').waitFor();
  check((await framed.locator('h1.story-headline').textContent()).includes(headline), 'the full-page preview shows the draft in the site\'s page');
  check(await framed.locator('.preview-banner').isVisible(), 'with a banner that says it is a preview');
  check((await framed.locator('.story-body').textContent()).includes('Every entry since 1990'), 'and its body');
  check(await frameWidth() > 900, `at desktop width (${Math.round(await frameWidth())} px)`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Phone (390 px)")')]);
  await framed.locator('h1.story-headline').waitFor();
  check(Math.round(await frameWidth()) === 390, 'the switch shows it at a phone\'s width (390 px)');
  const inner = page.frames().find((f) => f.url().endsWith('/preview/page'));
  const fits = await inner.evaluate(() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]);
  check(fits[0] <= 390 && fits[1] <= fits[0], `the page lays out for the phone without scrolling sideways (${fits[0]} px)`);

  await page.goto(`${base}${editorPath}/links`);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Create a preview link")')]);
  const link = await page.inputValue('#preview-link');
  check(link.includes('/preview/'), 'a private preview link is made and shown');
  check((await page.content()).includes('Revoke'), 'and listed with its expiry, to revoke');

  const stranger = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const reader = await stranger.newPage();
    const answer = await reader.goto(link);
    check(answer.status() === 200, 'the link opens signed out, in a fresh browser');
    const headers = answer.headers();
    check(headers['x-robots-tag'] === 'noindex' && headers['cache-control'] === 'private, no-store',
      'it is not for search engines or caches (X-Robots-Tag, Cache-Control)');
    check(await reader.$('meta[name=robots][content=noindex]') !== null, 'and says noindex in the page');
    check((await reader.textContent('h1.story-headline')).includes(headline), 'it shows the draft\'s headline');
    check(await reader.isVisible('.preview-banner'), 'under a preview banner');
    const hidden = await reader.goto(`${base}/admin/articles`);
    check(new URL(reader.url()).pathname === '/admin/sign-in', 'the stranger is not signed in to anything');
    check(hidden.status() === 200, 'and is asked to sign in for the back office');
  } finally {
    await stranger.close();
  }
}

/// Scheduling whatever the browser's locale: with the site in Europe/Berlin, an American and a German browser
/// (each in a zone of its own) show the publication time's fields alike, describe what is typed as it is typed,
/// save it, and read back the same time. The site's zone is put back to UTC after.
async function scheduling(browser, adminPage) {
  const setZone = async (zone) => {
    await adminPage.goto(`${base}/admin/settings`);
    await adminPage.selectOption('#timezone', zone);
    await Promise.all([adminPage.waitForNavigation(), adminPage.click('form[action="/admin/settings"] button[type=submit]')]);
  };
  await setZone('Europe/Berlin');
  const when = 'Friday, July 4, 2031, 9:30 p.m. CEST';
  const readBack = [];
  for (const [locale, timezoneId] of [['en-US', 'America/Los_Angeles'], ['de-DE', 'Asia/Tokyo']]) {
    const context = await browser.newContext({ locale, timezoneId });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${base}/admin/articles/new`);
    check(await page.evaluate(() => navigator.language) === locale, `a browser in ${locale}, ${timezoneId}`);
    check((await page.textContent('.publish-time legend')).includes('Europe/Berlin'), 'the time is asked in the site\'s zone');
    await page.selectOption('#status', 'scheduled');
    await page.fill('#publish_date', '2031-07-04');
    await page.fill('#publish_time', '9 pm');
    await page.waitForFunction(() => document.querySelector('#publish-when').textContent.includes('24-hour clock'));
    check(await page.getAttribute('#publish_time', 'aria-invalid') === 'true', 'a 12-hour time is refused as typed, saying how to write it');
    await page.fill('#publish_time', '21:30');
    await page.waitForFunction((text) => document.querySelector('#publish-when').textContent.startsWith(text), when);
    check(true, `typed, it reads “${await page.textContent('#publish-when')}”`);
    await page.fill('#headline', `Fireworks over the harbour, ${locale} ${Date.now()}`);
    const section = await page.$eval('#section', (select) => [...select.options].find((o) => o.value)?.value);
    await page.selectOption('#section', section);
    await page.click('.pm-content');
    await page.keyboard.type('The display starts at half past nine.');
    await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
    const notice = await page.textContent('p.notice');
    check(notice.startsWith('Saved. Scheduled for July 4, 2031, 9:30 p.m. (in '), `the save says so: “${notice}”`);
    await page.reload();
    const fields = [await page.inputValue('#publish_date'), await page.inputValue('#publish_time')];
    check(fields.join(' ') === '2031-07-04 21:30', `read back as typed: ${fields.join(' ')}`);
    const shown = await page.textContent('#publish-when');
    check(shown.startsWith(when), `and described in the site's words: “${shown}”`);
    readBack.push(shown.split(' (')[0]);
    await context.close();
  }
  check(readBack[0] === readBack[1], 'both browsers show the same time');
  await setZone('UTC');
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
