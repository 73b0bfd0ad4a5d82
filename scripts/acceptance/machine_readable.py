"""Checks a running newsroom site's feeds, sitemaps and JSON-LD; prints one line per check and a summary.

Usage: machine_readable.py BASE_URL SITEINDEX_XSD SITEMAP_XSD WORK_DIR
"""
import json
import re
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET

import feedparser

BASE, INDEX_XSD, SITEMAP_XSD, WORK = sys.argv[1:5]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
passed, failed = 0, 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what} {detail}".rstrip())


def fetch(url, with_type=False):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        return (body, response.headers.get("content-type", "")) if with_type else body


def local(url):
    """Sitemaps hold absolute URLs on the configured base; fetch them from the server under test."""
    return BASE + url[len(BASE):] if url.startswith(BASE) else url


def xmllint(schema, body, name):
    path = f"{WORK}/{name}"
    with open(path, "wb") as out:
        out.write(body)
    result = subprocess.run(["xmllint", "--noout", "--schema", schema, path], capture_output=True, text=True)
    check(result.returncode == 0, f"xmllint {name}", result.stderr.strip()[-800:])


# Sitemaps: the index against siteindex.xsd, every sitemap against sitemap.xsd with the extensions.
index = fetch(BASE + "/sitemap.xml")
xmllint(INDEX_XSD, index, "sitemap-index.xml")
sitemaps = [loc.text for loc in ET.fromstring(index).iter(SM + "loc")]
check(len(sitemaps) >= 3, "sitemap index lists pages, news and articles", str(sitemaps))
page_urls, article_urls = [], []
for url in sitemaps:
    body = fetch(local(url))
    name = url.rsplit("/", 1)[-1]
    xmllint(SITEMAP_XSD, body, name)
    locs = [loc.text for loc in ET.fromstring(body).iter(SM + "loc")]
    if name == "pages.xml":
        # Each language edition has its own (the Chinese one under /zh/sitemaps/).
        page_urls += locs
    elif name.startswith("articles-"):
        article_urls += locs
check(len(article_urls) >= 40, "article sitemaps list the demo's articles", str(len(article_urls)))
robots = fetch(BASE + "/robots.txt").decode()
check(f"Sitemap: {BASE}/sitemap.xml" in robots, "robots.txt points to the sitemap index")

# Feeds: the site's and every section's, tag's and author's, in all three formats.
listing_paths = ["/"] + [u[len(BASE):] for u in page_urls if u != BASE + "/"]
feed_count = 0
for path in listing_paths:
    prefix = path if path.endswith("/") else path + "/"
    for name in ("feed.xml", "atom.xml", "feed.json"):
        body, content_type = fetch(BASE + prefix + name, with_type=True)
        feed_count += 1
        if name == "feed.json":
            # feedparser's released versions read RSS and Atom only; JSON Feed 1.1 is checked against its
            # specification's required members here (and parsed with feed-rs in the Rust tests).
            check(content_type.startswith("application/feed+json"), f"{prefix}{name} content type", content_type)
            document = json.loads(body)
            check(document.get("version") == "https://jsonfeed.org/version/1.1", f"{prefix}{name} version")
            check(bool(document.get("title")), f"{prefix}{name} title")
            items = document.get("items", [])
            check(len(items) > 0, f"{prefix}{name} has items")
            for item in items:
                check(item.get("id") and (item.get("content_html") or item.get("content_text")), f"{prefix}{name} item has id and content")
            continue
        parsed = feedparser.parse(body, response_headers={"content-type": content_type})
        check(not parsed.bozo, f"feedparser {prefix}{name}", repr(parsed.get("bozo_exception")))
        check(len(parsed.entries) > 0, f"{prefix}{name} has entries")
        for entry in parsed.entries[:3]:
            check(entry.get("id") and entry.get("link") and entry.get("published"), f"{prefix}{name} entry has id, link and date")
print(f"checked {feed_count} feeds and {len(sitemaps)} sitemaps")

# JSON-LD on article pages.
REQUIRED = ["headline", "image", "datePublished", "dateModified", "author", "publisher", "articleSection", "keywords", "isAccessibleForFree"]
for url in article_urls[:25]:
    html = fetch(local(url)).decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    check(len(blocks) == 1, f"one JSON-LD block on {url}")
    graph = json.loads(blocks[0])["@graph"] if blocks else []
    articles = [g for g in graph if g.get("@type") == "NewsArticle"]
    check(len(articles) == 1, f"NewsArticle on {url}")
    for article in articles:
        missing = [p for p in REQUIRED if p not in article]
        check(not missing, f"NewsArticle properties on {url}", f"missing {missing}")
        check(all(a.get("url") for a in article.get("author", [])), f"every author has a URL on {url}")
    publisher = [g for g in graph if g.get("@type") == "NewsMediaOrganization"]
    check(publisher and publisher[0].get("logo", {}).get("url"), f"publisher with logo on {url}")
    check(any(g.get("@type") == "BreadcrumbList" for g in graph), f"BreadcrumbList on {url}")

# The home page names the site and how to search it.
home_html = fetch(BASE + "/").decode()
home_blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', home_html, re.S)
home_graph = json.loads(home_blocks[0])["@graph"] if home_blocks else []
website = next((g for g in home_graph if g.get("@type") == "WebSite"), {})
action = website.get("potentialAction", {})
template = action.get("target", {}).get("urlTemplate", "")
check(action.get("@type") == "SearchAction" and "{search_term_string}" in template, "WebSite SearchAction on the home page", template)
if template:
    search_html = fetch(local(template.replace("{search_term_string}", "harbour"))).decode()
    check('class="stream search-results"' in search_html, "the SearchAction's address gives a results page")

print(f"machine-readable: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
