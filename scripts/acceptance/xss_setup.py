"""Saves XSS payloads into every text field an editor controls, through the admin API and the back office's
forms, as an editor would; prints what the browser check must load as JSON.

Usage: xss_setup.py BASE_URL TOKEN EMAIL PASSWORD PAYLOAD_FILE STEP IMAGE_FILE OUT_JSON [OFFSET]

Every STEP-th payload of the file is used (1 = all), from the OFFSET-th (0 when left out). For payload number i:
  - a section named with it (description too), at the address /x{i}/;
  - an author named with it (biography too), at /author/a{i};
  - a media-library image whose alt text, caption and credit are the payload;
  - a published article in that section by that author, with the payload as headline, standfirst, body, tag,
    SEO title and meta description and (when the address rules accept it) address, and the image as its lead and
    share image.
A field the site refuses (a headline longer than 300 characters, say) is refused with a reason, as the
tests elsewhere prove; the article is then saved with a plain value in that field and the payload in the rest.
"""
import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE, TOKEN, EMAIL, PASSWORD, PAYLOADS, STEP, IMAGE, OUT = sys.argv[1:9]
STEP = int(STEP)
OFFSET = int(sys.argv[9]) if len(sys.argv) > 9 else 0
image = open(IMAGE, "rb").read()
counter = 0


def reader():
    """A new client address per request: the server trusts this script as a proxy, so the per-address limits
    on the API (which a real editor never reaches) do not hold the setup back."""
    global counter
    counter += 1
    return f"10.9.{counter // 250 % 250}.{counter % 250 + 1}"


def api(method, path, body=None, content_type="application/json"):
    data = json.dumps(body).encode() if content_type == "application/json" and body is not None else body
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + TOKEN)
    request.add_header("X-Forwarded-For", reader())
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A form that saved answers 303; one that refused a value answers 200 with the reason. Keep them apart."""

    def redirect_request(self, *args, **kwargs):
        return None


jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirects())


def page(path):
    request = urllib.request.Request(BASE + path, headers={"X-Forwarded-For": reader()})
    with browser.open(request, timeout=60) as response:
        return response.read().decode()


def form(path, fields):
    """Posts a back-office form with the session's CSRF token, as the browser does."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', page(path)).group(1)
    data = urllib.parse.urlencode({"csrf": csrf, **fields}).encode()
    request = urllib.request.Request(BASE + path, data=data, method="POST")
    request.add_header("Origin", BASE)
    request.add_header("X-Forwarded-For", reader())
    try:
        with browser.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def multipart(fields, file_bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n'
                 "Content-Type: image/png\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


status = form("/admin/sign-in", {"email": EMAIL, "password": PASSWORD})
assert status == 303, f"signing in answered {status}"

lines = open(PAYLOADS, encoding="utf-8", errors="replace").read().split("\n")
payloads = [(n, line) for n, line in enumerate(lines) if line.strip() and n % STEP == OFFSET % STEP]
visits, refused = [], {}
for n, payload in payloads:
    section, author = f"x{n}", f"a{n}"
    for path, fields, text in (("/admin/sections", {"slug": section, "name": payload, "description": payload, "position": "100"}, "description"),
                               ("/admin/authors", {"slug": author, "name": payload, "bio": payload, "avatar": ""}, "bio")):
        status = form(path, fields)
        # The page answers 200 with the reason when a value breaks a rule (too long, say); try plain values.
        for plain in ({"name": f"Payload {n}"}, {"name": f"Payload {n}", text: ""}):
            if status == 303:
                break
            refused[f"{path} {n} {sorted(plain)}"] = status
            status = form(path, {**fields, **plain})
        assert status == 303, f"{path} refused payload {n} even with plain values: {status}"
    body, content_type = multipart({"alt": payload, "caption": payload, "credit": payload}, image)
    status, uploaded = api("POST", "/api/admin/media", body, content_type)
    lead = uploaded.get("id") if status == 201 and isinstance(uploaded, dict) else None
    if lead is None:
        refused[f"media {n}"] = status
        body, content_type = multipart({"alt": f"Payload {n}", "caption": payload, "credit": payload}, image)
        status, uploaded = api("POST", "/api/admin/media", body, content_type)
        lead = uploaded.get("id") if status == 201 else None
    article = {"headline": payload, "slug": payload, "standfirst": payload, "body": payload, "section": section,
               "authors": [author], "tags": [payload], "lead_image": lead, "status": "published",
               "seo_title": payload, "seo_description": payload, "share_image": lead}
    status, saved = api("POST", "/api/admin/articles", article)
    # Fields the rules refuse take plain values, one at a time, so the payload stays in every other field.
    for field, plain in (("slug", f"p{n}"), ("seo_title", ""), ("seo_description", ""), ("headline", f"Payload {n}"),
                         ("tags", [f"payload-{n}"]),
                         ("standfirst", ""), ("body", f"Payload {n}")):
        if status == 201:
            break
        refused[f"article {n} {field}"] = status
        article[field] = plain
        status, saved = api("POST", "/api/admin/articles", article)
    assert status == 201, f"payload {n} could not be saved at all: {status} {saved}"
    saved = saved["article"]
    visits.append({"n": n, "payload": payload, "id": saved["id"], "article": f"/{saved['section']}/{saved['slug']}",
                   "section": f"/{section}/", "author": f"/author/{author}"})

json.dump({"visits": visits, "refused": refused}, open(OUT, "w"))
print(f"saved {len(visits)} payloads into sections, authors, images and articles; "
      f"{len(refused)} field values refused by the site's rules and replaced by plain text")
