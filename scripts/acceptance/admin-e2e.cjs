// The back office end to end, as an editor uses it, in Debian's headless Chromium (playwright-core): sign in,
// upload an image to the media library, write an article with that lead image, publish it, then find it on
// the public site, with its image, on its page, on the home page and in search. Then the editor's script, by
// typing: the live preview, the autosave, the warning before leaving, the copy kept in the browser while
// signed out and offered back after signing in, the rich editor's shortcuts and toolbar and its Markdown, the
// search and social previews and the style guide's findings beside the text, and a new article saved as a draft
// by its first autosave, and notes left on a passage of it and resolved. Then previews: that draft as readers will see it, at desktop
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
    await notes(page);
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
  await searchAndStyle(page, editorUrl, publicPath);

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

/// "Search and social": the search-result and social-card previews follow typing; then the style guide's
/// findings appear beside the text while writing, select their passage and correct it; saved, the page's head
/// carries the SEO title.
async function searchAndStyle(page, editorUrl, publicPath) {
  await page.goto(`${base}${editorUrl}`);
  if (!(await page.$eval('#search-social', (details) => details.open))) await page.click('#search-social summary');
  const before = await page.textContent('.serp-title');
  const headline = await page.inputValue('#headline');
  check(before.startsWith(headline.slice(0, 20)), `with no SEO title, the search preview shows the headline: "${before}"`);
  const title = 'Tide gauge on the east pier now reports the water level every minute, day and night';
  await page.click('#seo_title');
  await page.keyboard.type(title, { delay: 2 });
  const shown = await page.textContent('.serp-title');
  check(shown.startsWith('Tide gauge on the east pier') && shown.endsWith('\u2026') && [...shown].length <= 62,
    `typing an SEO title changes the search preview, cut as results cut it: "${shown}"`);
  check(/^\d+ characters; search results show about the first 60$/.test(await page.textContent('#seo-title-count')),
    'the SEO title counts its characters against what results show');
  check((await page.textContent('.card-preview-title')).startsWith(title), 'the social card shows the whole title');
  await page.fill('#seo_description', 'The new gauge reports itself to the harbour office every minute.');
  check((await page.textContent('.serp-description')) === 'The new gauge reports itself to the harbour office every minute.',
    'the meta description shows in the search preview');
  const share = await page.$eval('#share_image', (select) => [...select.options].find((o) => o.getAttribute('data-src')));
  if (share) {
    await page.selectOption('#share_image', await page.$eval('#share_image', (select) =>
      [...select.options].find((o) => o.getAttribute('data-src')).value));
    const src = await page.getAttribute('.card-preview-image img', 'src');
    check(Boolean(src) && src.startsWith('/media/'), `the chosen share image shows on the card: ${src}`);
  }

  // A name spelled two ways, typed into the body: the finding appears beside the text, without saving.
  await typeInBody(page, '\n\nMark Rutte met the harbour board on Tuesday. Rutte said little. Later, Lute\'s aides disagreed.');
  await page.waitForSelector('#style-live-list li:has-text("Lute")', { timeout: 10000 });
  check(await page.isVisible('#style-live'), `the style guide's finding appears beside the text: "${(await page.textContent('#style-live-list')).trim()}"`);
  await page.click('#style-live-list li:has-text("Lute") .style-live-found');
  const selected = await page.evaluate(() => window.getSelection().toString());
  check(selected === 'Lute', `clicking the finding selects the passage in the rich editor: "${selected}"`);
  await page.click('#style-live-list li:has-text("Lute") .style-live-fix');
  await page.waitForFunction(() => ![...document.querySelectorAll('#style-live-list li')].some((li) => li.textContent.includes('Lute')),
    null, { timeout: 10000 });
  const text = await page.textContent('.pm-content');
  check(text.includes("Later, Rutte's aides disagreed.") && !text.includes('Lute'), 'Correct puts the suggestion in its place');
  await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
  check((await page.content()).includes('Saved.'), 'then saved, nothing left to stop publishing');
  const readers = await (await page.request.get(`${base}${publicPath}`)).text();
  check(readers.includes(`<title>${title} | `), 'readers\' page carries the SEO title');
  check(readers.includes('content="The new gauge reports itself to the harbour office every minute."'), 'and the meta description');
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
  // A pull quote, from the toolbar: Markdown has no word for it, so it is written as an aside around the text.
  await page.locator('.pm-content').focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('A buoy is cheaper than a grounding.');
  await page.click('.pm-toolbar button[title^="Pull quote"]');
  check(await page.isVisible('.pm-content .pm-pull-quote:has-text("cheaper than a grounding")'), 'the toolbar makes a pull quote');
  await page.waitForFunction(() => document.querySelector('#body').value
    .includes('<aside class="pull-quote">\n\nA buoy is cheaper than a grounding.\n\n</aside>'));
  check(true, 'written in the Markdown as an aside of class pull-quote');
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
  check(/<aside class="pull-quote">\s*<p>A buoy is cheaper than a grounding\.<\/p>\s*<\/aside>/.test(story), 'and the pull quote');
}

/// Where `words` stand in the rich editor's text: the points just inside their first and last letters.
async function wordsAt(page, words) {
  return page.evaluate((wanted) => {
    const walker = document.createTreeWalker(document.querySelector('.pm-content'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(wanted);
      if (at === -1) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const rects = range.getClientRects();
      const first = rects[0];
      const last = rects[rects.length - 1];
      return { start: { x: first.left + 1, y: first.top + first.height / 2 }, end: { x: last.right - 1, y: last.top + last.height / 2 } };
    }
    return null;
  }, words);
}

/// Selects `words` in the rich editor with the mouse: a click before them and a Shift+click after.
async function selectWords(page, words) {
  const at = await wordsAt(page, words);
  await page.mouse.click(at.start.x, at.start.y);
  await page.keyboard.down('Shift');
  await page.mouse.click(at.end.x, at.end.y);
  await page.keyboard.up('Shift');
}

/// Notes on the draft open in `page`: one left on a selected passage, highlighted and listed, still attached
/// after other text changes and a reload, marked when its passage is deleted, then resolved.
async function notes(page) {
  const draftUrl = new URL(page.url()).pathname;
  const note = 'Which year did the paper log start? Ask the archivist, Ines Marlowe.';
  const footnote = page.locator('.pm-toolbar button:text-is("Footnote")');
  check(await footnote.count() === 1 && (await footnote.getAttribute('aria-label')).startsWith('Footnote'),
    'the footnote button says Footnote, so it is not taken for a note');
  const before = await page.inputValue('#body');
  await selectWords(page, 'since 1990');
  check(await page.evaluate(() => window.getSelection().toString()) === 'since 1990', 'a passage is selected in the text');
  await page.keyboard.press('Control+Alt+m');
  check(await page.isVisible('#pm-note-text'), 'Ctrl+Alt+M on a selected passage asks for the note');
  check((await page.textContent('.pm-note-panel label')).includes('since 1990'), 'naming the passage');
  await page.click('.pm-note-panel button:has-text("Add note")');
  check((await page.textContent('.pm-note-message')).includes('Write the note first'), 'an empty note is not sent, and says why');
  await page.fill('#pm-note-text', note);
  await page.click('.pm-note-panel button:has-text("Add note")');
  await page.waitForSelector(`#notes .notes-open .note-body:text-is("${note}")`);
  check(await page.isVisible('.pm-content .pm-note:text-is("since 1990")'), 'the note is added, its passage highlighted');
  check((await page.textContent('#notes .notes-open .note-meta')).includes('Edith Chief'), 'and listed with who wrote it');
  await page.waitForTimeout(400);
  check((await page.inputValue('#body')) === before, 'the Markdown is untouched by the note');

  await page.reload();
  check(await page.isVisible('.pm-content .pm-note:text-is("since 1990")'), 'reloaded, the passage is still highlighted');
  check(await page.isVisible(`#notes .note-body:text-is("${note}")`), 'and the note listed');

  const start = (await wordsAt(page, 'Every entry')).start;
  await page.mouse.click(start.x, start.y);
  await page.keyboard.type('Online today: ');
  check(await page.isVisible('.pm-content .pm-note:text-is("since 1990")'), 'text typed before the passage leaves the note on it');
  await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
  check(await page.isVisible('.pm-content .pm-note:text-is("since 1990")'), 'saved and reloaded, the note finds its passage again');
  const saved = await page.inputValue('#body');
  check(saved.startsWith('Online today: Every entry since 1990'), 'and the saved text is only what was typed');

  await page.click('.pm-content');
  await page.keyboard.press('Control+End');
  await page.click('#notes .note-quote:has-text("since 1990")');
  check(await page.evaluate(() => window.getSelection().toString()) === 'since 1990', 'clicking the note selects its passage');
  await page.keyboard.press('Backspace');
  await page.waitForSelector('#notes .note-removed');
  check(!(await page.isVisible('.pm-content .pm-note')), 'deleting the passage removes its highlight');
  check(await page.isVisible('#notes .note-removed:has-text("Passage removed")'), 'and the note says its passage was removed, with its quote');
  await page.keyboard.press('Control+z');
  await page.waitForSelector('.pm-content .pm-note');
  check(!(await page.isVisible('#notes .note-removed')), 'undone, the passage and its note are back together');

  await page.click('#notes .notes-open button:has-text("Resolve")');
  await page.waitForSelector('#notes .notes-open .notes-none');
  check(!(await page.isVisible('.pm-content .pm-note')), 'resolved, the note leaves the text');
  check(!(await page.isVisible(`#notes .note-body:text-is("${note}")`)), 'and is hidden from the list');
  await page.waitForTimeout(400);
  page.once('dialog', (dialog) => dialog.accept());
  await page.reload();
  check((await page.textContent('#notes .notes-resolved summary')).includes('Show resolved notes (1)'), 'reloaded, it is kept as resolved');
  await page.click('#notes .notes-resolved summary');
  check(await page.isVisible(`#notes .note-body:text-is("${note}")`), 'shown on asking');
  check((await page.textContent('#notes .notes-resolved .note-meta')).includes('Resolved by Edith Chief'), 'with who resolved it');
  const readers = await (await page.request.get(`${base}${draftUrl}/preview/page`)).text();
  check(readers.includes('Online today') && !readers.includes('Marlowe'), 'the preview as readers will see it shows no note');
  await page.goto(`${base}${draftUrl}`);
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
