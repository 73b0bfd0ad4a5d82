#!/usr/bin/env python3
"""Finds one URL of each public page kind by following the links a reader would follow.

Usage: collect-urls.py BASE_URL
Prints "kind path" lines: home, article, section, author, tag, search (a results page), page2 (when the
site has a second page of a listing), home_zh and article_zh (when the site has a Chinese edition, which the
language switcher links to) and not_found. Exits non-zero when a required kind cannot be found.
"""
import re
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser

ARTICLE = re.compile(r"^/(?!author/|tag/|assets/)[a-z0-9-]+/[a-z0-9-]+$")
SECTION = re.compile(r"^/(?!author/|tag/|assets/|zh/$)[a-z0-9-]+/$")
CHINESE_ARTICLE = re.compile(r"^/zh/[a-z0-9-]+/[a-z0-9-]+$")
AUTHOR = re.compile(r"^/author/[a-z0-9-]+$")
TAG = re.compile(r"^/tag/[a-z0-9-]+$")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []  # (href, rel)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            a = dict(attrs)
            if a.get("href"):
                self.links.append((a["href"], a.get("rel") or ""))


def links(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        parser = Links()
        parser.feed(r.read().decode("utf-8"))
        return parser.links


def first(pattern, found):
    return next((h for h, _ in found if pattern.match(h)), None)


def main():
    base = sys.argv[1].rstrip("/")
    home = links(base, "/")
    urls = {"home": "/"}
    urls["article"] = first(ARTICLE, home)
    urls["section"] = first(SECTION, home)
    urls["author"] = first(AUTHOR, home)
    urls["tag"] = first(TAG, home)

    # Kinds the front page does not link to are taken one click further: from its articles.
    # Their other author and tag links are candidates for a second page below.
    articles = list(dict.fromkeys(h for h, _ in home if ARTICLE.match(h)))
    listings = []
    for article in articles[:6]:
        found = links(base, article)
        urls["author"] = urls["author"] or first(AUTHOR, found)
        urls["tag"] = urls["tag"] or first(TAG, found)
        listings += [h for h, _ in found if TAG.match(h) or AUTHOR.match(h)]

    # Page 2: of a section when one has it, otherwise of a tag or author listing (the same template and
    # pagination), so that the pagination markup is checked whenever the site has any.
    sections = list(dict.fromkeys(h for h, _ in home if SECTION.match(h)))
    page2 = None
    for listing in list(dict.fromkeys(sections + listings))[:40]:
        nxt = next((h for h, rel in links(base, listing) if "next" in rel.split()), None)
        if nxt:
            page2 = nxt
            break

    # A search results page, for a word of the first article's address (addresses are made from headlines).
    if articles:
        word = next((w for w in articles[0].rsplit("/", 1)[-1].split("-") if len(w) >= 4), None)
        urls["search"] = "/search?q=" + word if word else None

    # The Chinese edition, when the language switcher offers one.
    if any(h == "/zh/" for h, _ in home):
        urls["home_zh"] = "/zh/"
        urls["article_zh"] = first(CHINESE_ARTICLE, links(base, "/zh/"))

    missing = [k for k, v in urls.items() if not v]
    for kind, path in urls.items():
        if path:
            print(kind, path)
    if page2:
        print("page2", page2)
    print("not_found", "/no-such-page")
    if missing:
        print("collect-urls: no link found for: " + ", ".join(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except urllib.error.URLError as e:
        print(f"collect-urls: {e}", file=sys.stderr)
        sys.exit(1)
