// The back office end to end, as an editor uses it, in Debian's headless Chromium (playwright-core): sign in,
// upload an image to the media library, write an article with that lead image, publish it, then find it on
// the public site, with its image, on its page, on the home page and in search.
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

    await page.goto(`${base}/admin/articles/new`);
    await page.fill('#headline', headline);
    await page.fill('#standfirst', 'Harbour staff can now read the water level from the office.');
    await page.fill('#body', 'The old gauge was read by eye.\n\nThe new one **reports itself**, every minute.');
    const imageOption = await page.$eval('#lead_image', (select) =>
      [...select.options].find((o) => o.textContent.includes('tide gauge'))?.value);
    check(Boolean(imageOption), 'the uploaded image can be chosen as the lead image');
    await page.selectOption('#lead_image', imageOption);
    const section = await page.$eval('#section', (select) => [...select.options].find((o) => o.value)?.value);
    check(Boolean(section), 'a section can be chosen');
    await page.selectOption('#section', section);
    await page.fill('#tags', 'Harbour, Technology');
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=save]')]);
    check(!(await page.content()).includes('class="error"'), 'the article saved without errors');

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
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
