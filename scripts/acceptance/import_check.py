"""Drives `newsroom import` and `newsroom export` over the shared WordPress and Ghost exports and checks what
readers then see. Usage: import_check.py NEWSROOM_BINARY SHARED_DATA_DIR"""
import html
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

BINARY, SHARED = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
# The files that are broken on purpose; every other file must import.
MALFORMED = {"malformed.xml", "malformed-simple.xml", "missing-version-tag.xml", "invalid-version-tag.xml",
             "export-broken.json"}
failures = []


def fail(message):
    failures.append(message)
    print("FAIL", message)


def newsroom(data, *args):
    return subprocess.run([str(BINARY), "--data", str(data), *args], capture_output=True, text=True, timeout=600)


def export(data, path):
    result = newsroom(data, "export", str(path))
    if result.returncode != 0:
        raise SystemExit(f"export failed: {result.stderr}")
    return path.read_bytes()


def check_every_file(work):
    files = sorted((SHARED / "wordpress").rglob("*.xml")) + sorted((SHARED / "ghost").glob("*.json"))
    for number, file in enumerate(files):
        kind = "wordpress" if file.suffix == ".xml" else "ghost"
        data = work / f"site-{number}"
        # A site with content already in it: a failed import must leave it exactly as it was.
        subprocess.run([str(BINARY), "--data", str(data), "demo"], check=True, capture_output=True)
        before = export(data, work / f"before-{number}.json")
        result = newsroom(data, "import", kind, str(file))
        if file.name in MALFORMED:
            after = export(data, work / f"after-{number}.json")
            if result.returncode == 0:
                fail(f"{file.name}: a malformed file was accepted")
            elif "nothing was changed" not in result.stderr or not result.stderr.startswith("error: "):
                fail(f"{file.name}: unclear error: {result.stderr.strip()}")
            elif before != after:
                fail(f"{file.name}: a failed import changed the site")
            else:
                print(f"ok   {file.name}: refused: {result.stderr.strip().split('nothing was changed: ')[-1]}")
        elif result.returncode != 0:
            fail(f"{file.name}: import failed: {result.stderr.strip()}")
        elif kind == "wordpress" and "Accounted for all" not in result.stdout:
            fail(f"{file.name}: the summary does not account for every item:\n{result.stdout}")
        elif kind == "ghost" and "Accounted for all" not in result.stdout:
            fail(f"{file.name}: the summary does not account for every post:\n{result.stdout}")
        else:
            print(f"ok   {file.name}: {result.stdout.splitlines()[1]}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base, path):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(base + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


def wordpress_bodies(file):
    """Post id → content:encoded of the export."""
    namespaces = {"wp": "http://wordpress.org/export/1.2/", "content": "http://purl.org/rss/1.0/modules/content/"}
    text = file.read_text(encoding="utf-8").replace("https://wordpress.org/export/1.2/", "http://wordpress.org/export/1.2/")
    root = ET.fromstring(text)
    return {item.findtext("wp:post_id", namespaces=namespaces): item.findtext("content:encoded", "", namespaces)
            for item in root.iter("item")}


SHORTCODE = re.compile(r"\[/?(caption|wp_caption|gallery|embed|audio|video|playlist)\b")


def check_theme_unit_test(work):
    file = SHARED / "wordpress" / "themeunittestdata.wordpress.xml"
    data = work / "theme"
    first = newsroom(data, "import", "wordpress", str(file))
    if first.returncode != 0:
        fail(f"theme unit test: {first.stderr}")
        return
    print(first.stdout)
    again = newsroom(data, "import", "wordpress", str(file))
    if "articles: 0 new" not in again.stdout:
        fail(f"importing again made new articles:\n{again.stdout}")
    site = json.loads(export(data, work / "theme.json"))
    bodies = wordpress_bodies(file)
    sections = {s["slug"]: s["name"] for s in site["sections"]}
    tags = {t["slug"]: t["name"] for t in site["tags"]}
    images = {i["ref"]: i for i in site["images"]}
    port = free_port()
    server = subprocess.Popen([str(BINARY), "--data", str(data), "serve", "--no-demo", "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if get(base, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        now = time.time()
        checked = 0
        for article in site["articles"]:
            if article["status"] != "published" or article["published_at"] > now:
                continue
            path = f"/{article['section']}/{article['slug']}"
            status, page, _ = get(base, path)
            if status != 200:
                fail(f"{path}: {status}")
                continue
            checked += 1
            shown = html.unescape(page)
            for expected in [article["headline"], sections[article["section"]]] + [tags[t] for t in article["tags"]]:
                if expected not in shown:
                    fail(f"{path}: does not show {expected!r}")
            if article["lead_image"] is not None and html.escape(images[article["lead_image"]]["path"]) not in page:
                fail(f"{path}: lead image missing")
            key = next((s["key"] for s in article["sources"] if s["kind"] == "article"), None)
            # Images on the old site are not fetched by readers' browsers: the page shows their descriptions.
            if key and "<img" in bodies.get(key, "") and "<img" not in page:
                fail(f"{path}: the post's images are neither shown nor described")
            story = page.split('class="story-body', 1)[-1]
            visible = re.sub(r"<(pre|code)\b.*?</\1>", "", story, flags=re.S)
            if SHORTCODE.search(visible) or "<!-- wp:" in visible or "wp:paragraph" in visible:
                fail(f"{path}: shows raw shortcodes or block comments")
            if key:
                status, _, headers = get(base, f"/?p={key}")
                if status != 301 or headers.get("location") != path:
                    fail(f"/?p={key}: {status} {headers.get('location')} instead of a 301 to {path}")
        print(f"ok   theme unit test: {checked} published articles served with title, section, tags, images and old addresses")
        if checked < 50:
            fail(f"only {checked} articles checked")
    finally:
        server.terminate()
        server.wait(timeout=30)


def check_round_trip(work):
    data, empty = work / "round", work / "round-empty"
    subprocess.run([str(BINARY), "--data", str(data), "demo"], check=True, capture_output=True)
    for kind, file in [("wordpress", SHARED / "wordpress" / "themeunittestdata.wordpress.xml"),
                       ("ghost", SHARED / "ghost" / "export-v2_export.json")]:
        result = newsroom(data, "import", kind, str(file))
        if result.returncode != 0:
            fail(f"round trip setup: {result.stderr}")
    first = export(data, work / "first.json")
    result = newsroom(empty, "import", "newsroom", str(work / "first.json"))
    if result.returncode != 0:
        fail(f"import newsroom: {result.stderr}")
    second = export(empty, work / "second.json")
    if first != second:
        fail("export → import → export changed the file")
    else:
        print(f"ok   round trip: export, import into an empty site, export again: the same {len(first)} bytes")


with tempfile.TemporaryDirectory() as scratch:
    work = Path(scratch)
    check_every_file(work)
    check_theme_unit_test(work)
    check_round_trip(work)

if failures:
    print(f"{len(failures)} import checks failed")
    sys.exit(1)
print("all import checks passed")
