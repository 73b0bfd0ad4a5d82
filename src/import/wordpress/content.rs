//! Converts the stored content of a WordPress post (`content:encoded` in a WXR export) to plain HTML.
//!
//! The pipeline mirrors what WordPress itself does when it shows a post, minus theme and plugins:
//! page markers (`<!--more-->`, `<!--nextpage-->`) and block delimiters are dropped, shortcodes are
//! expanded (captions, galleries, media links) or removed, bare URLs on their own line become links,
//! and classic (non-block) content gets WordPress-style automatic paragraphs. The result is not
//! sanitised: a later step does that. Every scan here is a single forward pass over the text, so the
//! cost stays linear in the size of the post whatever its markup looks like.

use std::collections::HashMap;

/// One attachment (image) known from the export, as the content converter needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Address of the file.
    pub url: String,
    /// Alternative text for the image (may be empty).
    pub alt: String,
    /// Caption of the image, as HTML (may be empty).
    pub caption: String,
    /// Width in pixels, when known.
    pub width: Option<u32>,
    /// Height in pixels, when known.
    pub height: Option<u32>,
}

/// What the converter may ask about the export's attachments.
pub trait Attachments {
    /// The attachment with this WordPress post id.
    fn by_id(&self, id: u64) -> Option<Attachment>;
    /// The images attached to (uploaded into) the post with this id, in menu order.
    fn children_of(&self, post_id: u64) -> Vec<Attachment>;
}

/// Converts a post's stored content to HTML, as WordPress would show it (without theme or plugins).
pub fn to_html(content: &str, post_id: u64, attachments: &dyn Attachments) -> String {
    let text = content.replace("\r\n", "\n").replace('\r', "\n");
    // Same test WordPress uses to decide that a post was written with the block editor.
    let is_blocks = text.contains("<!-- wp:");
    let text = strip_marker_comments(&text, is_blocks);
    let text = Shortcodes::new(&text, post_id, attachments).run();
    let text = autoembed(&text, !is_blocks);
    // WordPress does not add paragraphs to block content: blocks carry their own markup.
    let html = if is_blocks { text } else { autop(&text) };
    html.trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// Comments: page markers and block delimiters
// ---------------------------------------------------------------------------------------------

/// Removes `<!--more-->`, `<!--nextpage-->`, `<!--noteaser-->` and, for block content, every block
/// delimiter comment. Other comments stay; the sanitiser drops them.
fn strip_marker_comments(text: &str, is_blocks: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut pos = 0;
    while let Some(found) = text[pos..].find("<!--") {
        let start = pos + found;
        let body_start = start + 4;
        let Some(close) = text[body_start..].find("-->") else { break };
        let body = &text[body_start..body_start + close];
        let mut end = body_start + close + 3;
        let word = body.trim();
        let is_page_marker = word.starts_with("more") || word == "nextpage" || word == "noteaser";
        let is_delimiter = is_blocks && (word.starts_with("wp:") || word.starts_with("/wp:"));
        if is_page_marker || is_delimiter {
            if is_delimiter && text[end..].starts_with('\n') {
                // Delimiters sit on lines of their own; dropping the newline too keeps output tidy.
                end += 1;
            }
            out.push_str(&text[copied..start]);
            copied = end;
        }
        pos = end;
    }
    out.push_str(&text[copied..]);
    out
}

// ---------------------------------------------------------------------------------------------
// Shortcodes
// ---------------------------------------------------------------------------------------------

/// Nesting limit for enclosing shortcodes; deeper ones are treated as lone openers so that
/// hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Shortcodes that WordPress core, WordPress.com/Jetpack or widespread plugins register and that
/// are often written without attributes (`[gallery]`, `[toc]`). Unknown names count as shortcodes
/// only when they look like one (see `Shortcodes::is_shortcode`).
const KNOWN_SHORTCODES: &[&str] = &[
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
    "archives",
    "contact-form",
    "contact-field",
    "contact-form-7",
    "gravityform",
    "wpforms",
    "ninja_form",
    "mc4wp_form",
    "googlemaps",
    "polldaddy",
    "crowdsignal",
    "slideshow",
    "sitemap",
    "toc",
    "ez-toc",
    "recipe",
    "gravatar",
    "wpvideo",
    "rev_slider",
    "layerslider",
    "metaslider",
    "smartslider3",
    "foogallery",
    "envira-gallery",
    "nggallery",
    "ngg",
];

/// Shortcodes that embed a third-party page; shown as a plain link to the URL they name.
const EMBED_SHORTCODES: &[&str] = &[
    "youtube",
    "vimeo",
    "dailymotion",
    "soundcloud",
    "ted",
    "spotify",
    "tweet",
    "instagram",
    "flickr",
    "slideshare",
    "scribd",
    "twitch",
];

/// Page-builder families name their many shortcodes with a common prefix; their content is kept.
const BUILDER_PREFIXES: &[&str] = &["vc_", "et_pb_", "fusion_", "su_", "av_", "ux_", "mk_", "cs_", "tdb_", "tm_"];

/// Attribute names that may hold the address of a media file.
const MEDIA_KEYS: &[&str] =
    &["src", "url", "mp3", "m4a", "ogg", "oga", "wav", "wma", "flac", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mov"];

/// Elements whose content shows shortcodes literally (how posts document shortcodes) or is not text.
const VERBATIM_ELEMENTS: &[&str] = &["pre", "code", "script", "style", "textarea"];

fn is_known_shortcode(name: &str) -> bool {
    KNOWN_SHORTCODES.contains(&name)
        || EMBED_SHORTCODES.contains(&name)
        || BUILDER_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// A shortcode opener as found in the text.
struct Tag<'a> {
    name: &'a str,
    attrs: Attrs,
    /// Written as `[name /]`.
    self_closing: bool,
    /// Written WordPress.com style as `[name=value]`.
    eq_form: bool,
    /// Index just past the closing `]`.
    end: usize,
}

/// Parsed shortcode attributes.
#[derive(Default)]
struct Attrs {
    named: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Attrs {
    fn get(&self, key: &str) -> Option<&str> {
        self.named.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The first non-empty value among `keys`, else the first positional value that is a URL.
    fn media_url(&self, keys: &[&str]) -> Option<String> {
        let named = keys.iter().filter_map(|k| self.get(k)).map(str::trim).find(|v| !v.is_empty());
        let url = named.or_else(|| self.positional.iter().map(|v| v.trim()).find(|v| is_bare_url(v)))?;
        Some(url.to_string())
    }
}

struct Shortcodes<'a> {
    src: &'a str,
    /// Start index of every `[/name]`, by name, ascending; lets an opener find its closer without
    /// rescanning the text (which would be quadratic with many unclosed openers).
    closers: HashMap<&'a str, Vec<usize>>,
    post_id: u64,
    attachments: &'a dyn Attachments,
}

impl<'a> Shortcodes<'a> {
    fn new(src: &'a str, post_id: u64, attachments: &'a dyn Attachments) -> Self {
        let mut closers: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut pos = 0;
        while let Some(found) = src[pos..].find("[/") {
            let start = pos + found;
            let name_len = shortcode_name_len(&src.as_bytes()[start + 2..]);
            if name_len > 0 && src.as_bytes().get(start + 2 + name_len) == Some(&b']') {
                closers.entry(&src[start + 2..start + 2 + name_len]).or_default().push(start);
            }
            pos = start + 2;
        }
        Shortcodes { src, closers, post_id, attachments }
    }

    fn run(&self) -> String {
        let mut out = String::with_capacity(self.src.len());
        self.process(0, self.src.len(), 0, &mut out);
        out
    }

    /// Expands the shortcodes in `src[start..end]` into `out`.
    fn process(&self, start: usize, end: usize, depth: usize, out: &mut String) {
        let bytes = self.src.as_bytes();
        let mut copied = start;
        let mut i = start;
        while i < end {
            match bytes[i] {
                b'<' => {
                    // Whole tags are skipped so that brackets inside attribute values stay untouched.
                    i = match parse_html_tag(self.src, i, end) {
                        Some(tag) if !tag.closing && !tag.self_closing && is_verbatim(tag.name) => {
                            find_closing_tag(self.src, tag.end, end, tag.name).map_or(end, |(_, e)| e)
                        }
                        Some(tag) => tag.end,
                        None => i + 1,
                    };
                }
                b'[' => {
                    if let Some((next, replacement)) = self.expand_at(i, end, depth) {
                        out.push_str(&self.src[copied..i]);
                        out.push_str(&replacement);
                        copied = next;
                        i = next;
                    } else {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        out.push_str(&self.src[copied..end]);
    }

    /// If a shortcode (or an escaped one, or a stray closer) starts at `i`, returns where the
    /// text resumes and what replaces it.
    fn expand_at(&self, i: usize, end: usize, depth: usize) -> Option<(usize, String)> {
        // Only the current range may be looked at: enclosed content ends where its closer begins.
        let bytes = &self.src.as_bytes()[..end];
        match bytes.get(i + 1) {
            Some(b'[') => {
                // `[[name]]` shows `[name]` literally; so does `[[name]…[/name]]`.
                let tag = self.parse_tag(i + 1, end)?;
                if !self.is_shortcode(&tag, end) {
                    return None;
                }
                let literal_end = if bytes.get(tag.end) == Some(&b']') {
                    tag.end
                } else {
                    let close = self.closer_after(tag.name, tag.end, end)? + tag.name.len() + 3;
                    if bytes.get(close) != Some(&b']') {
                        return None;
                    }
                    close
                };
                if literal_end >= end {
                    return None;
                }
                Some((literal_end + 1, self.src[i + 1..literal_end].to_string()))
            }
            Some(b'/') => {
                // A closer whose opener is gone: drop it rather than show shortcode debris.
                let name_len = shortcode_name_len(&bytes[i + 2..]);
                let after = i + 2 + name_len;
                (name_len > 0 && after < end && bytes[after] == b']').then(|| (after + 1, String::new()))
            }
            _ => {
                let tag = self.parse_tag(i, end)?;
                if !self.is_shortcode(&tag, end) {
                    return None;
                }
                let closer = if tag.self_closing || depth >= MAX_DEPTH {
                    None
                } else {
                    self.closer_after(tag.name, tag.end, end)
                };
                let (inner, next) = match closer {
                    Some(c) => (Some((tag.end, c)), c + tag.name.len() + 3),
                    None => (None, tag.end),
                };
                let mut replacement = String::new();
                self.render(&tag, inner, depth, &mut replacement);
                Some((next, replacement))
            }
        }
    }

    /// Decides whether bracketed text is a shortcode. WordPress only expands registered names, which
    /// an export does not list; so a name counts when it is known, or when the text has the shape
    /// nobody types in prose: `name="value"` attributes, a `/]` ending, or a matching `[/name]`.
    /// Anything else (`[1]`, `[sic]`, `[simple boat]`) stays as written.
    fn is_shortcode(&self, tag: &Tag, end: usize) -> bool {
        if tag.eq_form {
            return is_known_shortcode(tag.name);
        }
        is_known_shortcode(tag.name)
            || tag.self_closing
            || !tag.attrs.named.is_empty()
            || self.closer_after(tag.name, tag.end, end).is_some()
    }

    /// Start of the first `[/name]` at or after `from` that ends by `end`.
    fn closer_after(&self, name: &str, from: usize, end: usize) -> Option<usize> {
        let list = self.closers.get(name)?;
        let idx = list.partition_point(|&p| p < from);
        list.get(idx).copied().filter(|&p| p + name.len() + 3 <= end)
    }

    /// Parses `[name attrs]` at `i` (which holds `[`).
    fn parse_tag(&self, i: usize, end: usize) -> Option<Tag<'a>> {
        let bytes = &self.src.as_bytes()[..end];
        let name_start = i + 1;
        let name_len = shortcode_name_len(bytes.get(name_start..)?);
        if name_len == 0 {
            return None;
        }
        let name_end = name_start + name_len;
        let name = &self.src[name_start..name_end];
        let after = *bytes.get(name_end)?;
        if after == b']' {
            return Some(Tag { name, attrs: Attrs::default(), self_closing: false, eq_form: false, end: name_end + 1 });
        }
        if !(after == b'/' || after == b'=' || after.is_ascii_whitespace()) {
            return None;
        }
        // Attributes run to the first `]`; a `[` before it means this was not a shortcode.
        let mut k = name_end;
        while k < end && bytes[k] != b']' {
            if bytes[k] == b'[' {
                return None;
            }
            k += 1;
        }
        if k >= end {
            return None;
        }
        let raw = &self.src[name_end..k];
        if after == b'=' {
            let value = unquote(raw[1..].trim());
            let attrs = Attrs { named: Vec::new(), positional: vec![value.to_string()] };
            return Some(Tag { name, attrs, self_closing: false, eq_form: true, end: k + 1 });
        }
        let trimmed = raw.trim_end();
        let self_closing = trimmed.ends_with('/');
        let raw = if self_closing { &trimmed[..trimmed.len() - 1] } else { raw };
        Some(Tag { name, attrs: parse_attrs(raw), self_closing, eq_form: false, end: k + 1 })
    }

    /// Writes the HTML that replaces one shortcode; `inner` is the range of its enclosed content.
    fn render(&self, tag: &Tag, inner: Option<(usize, usize)>, depth: usize, out: &mut String) {
        let inner_html = || {
            let mut s = String::new();
            if let Some((a, b)) = inner {
                self.process(a, b, depth + 1, &mut s);
            }
            s
        };
        match tag.name {
            "caption" | "wp_caption" => render_caption(&tag.attrs, &inner_html(), out),
            "gallery" => self.render_gallery(&tag.attrs, out),
            "embed" => {
                // The URL is the enclosed text; the editor may have auto-linked it, so tags are ignored.
                let from_content = inner.map(|(a, b)| text_outside_tags(&self.src[a..b])).unwrap_or_default();
                let url = Some(from_content.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .or_else(|| tag.attrs.media_url(&["src", "url"]));
                if let Some(url) = url.filter(|u| !u.chars().any(char::is_whitespace)) {
                    push_link_paragraph(out, &url);
                }
            }
            "audio" | "video" => {
                if let Some(url) = tag.attrs.media_url(MEDIA_KEYS) {
                    push_link_paragraph(out, &url);
                }
            }
            "playlist" => {}
            name if EMBED_SHORTCODES.contains(&name) => {
                if let Some(url) = tag.attrs.media_url(&["url", "src"]) {
                    push_link_paragraph(out, &url);
                }
            }
            // Unknown and plugin shortcodes: their own output cannot be reproduced, their content can.
            _ => out.push_str(&inner_html()),
        }
    }

    fn render_gallery(&self, attrs: &Attrs, out: &mut String) {
        let ids = parse_ids(attrs.get("ids").or_else(|| attrs.get("include")).unwrap_or(""));
        let excluded: Vec<String> = parse_ids(attrs.get("exclude").unwrap_or(""))
            .into_iter()
            .filter_map(|id| self.attachments.by_id(id))
            .map(|a| a.url)
            .collect();
        let images: Vec<Attachment> = if ids.is_empty() {
            let owner = attrs.get("id").and_then(|v| v.trim().parse().ok()).unwrap_or(self.post_id);
            self.attachments.children_of(owner)
        } else {
            ids.into_iter().filter_map(|id| self.attachments.by_id(id)).collect()
        };
        // Attachments carry no id, so `exclude` is matched by file address.
        let images: Vec<Attachment> =
            images.into_iter().filter(|a| !a.url.trim().is_empty() && !excluded.contains(&a.url)).collect();
        if images.is_empty() {
            return;
        }
        out.push_str("<figure class=\"gallery\">");
        for image in &images {
            out.push_str("<figure class=\"gallery-item\"><img src=\"");
            push_escaped(out, image.url.trim());
            out.push_str("\" alt=\"");
            push_escaped(out, &image.alt);
            out.push('"');
            if let Some(w) = image.width {
                out.push_str(&format!(" width=\"{w}\""));
            }
            if let Some(h) = image.height {
                out.push_str(&format!(" height=\"{h}\""));
            }
            out.push('>');
            let caption = image.caption.trim();
            if !caption.is_empty() {
                out.push_str("<figcaption>");
                // Newlines would turn into `<br />` in classic content.
                out.push_str(&caption.replace('\n', " "));
                out.push_str("</figcaption>");
            }
            out.push_str("</figure>");
        }
        out.push_str("</figure>");
    }
}

/// `[caption]`: an image (maybe linked) followed by caption text, or a `caption` attribute.
fn render_caption(attrs: &Attrs, inner: &str, out: &mut String) {
    let (media, caption) = match attrs.get("caption").map(str::trim).filter(|c| !c.is_empty()) {
        Some(caption) => (inner.trim(), caption),
        None => split_caption(inner).unwrap_or_default(),
    };
    if caption.is_empty() {
        // WordPress shows the content unchanged when there is no caption to add.
        out.push_str(inner);
        return;
    }
    out.push_str("<figure class=\"wp-caption");
    let align: String = attrs
        .get("align")
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if !align.is_empty() {
        out.push(' ');
        out.push_str(&align);
    }
    out.push_str("\">");
    // Newlines inside the figure would become `<br />` in classic content.
    out.push_str(&media.replace('\n', " "));
    out.push_str("<figcaption>");
    out.push_str(&caption.replace('\n', " "));
    out.push_str("</figcaption></figure>");
}

/// Splits caption content into its leading `<img>` (optionally inside `<a>`) and the text after it.
fn split_caption(inner: &str) -> Option<(&str, &str)> {
    let s = inner.trim_start();
    let mut p = 0;
    if let Some(a) = parse_html_tag(s, 0, s.len()).filter(|t| !t.closing && t.name.eq_ignore_ascii_case("a")) {
        p = skip_ws(s, a.end);
    }
    let img = parse_html_tag(s, p, s.len()).filter(|t| !t.closing && t.name.eq_ignore_ascii_case("img"))?;
    p = img.end;
    let q = skip_ws(s, p);
    if s[q..].get(..4).is_some_and(|t| t.eq_ignore_ascii_case("</a>")) {
        p = q + 4;
    }
    Some((s[..p].trim(), s[p..].trim()))
}

fn skip_ws(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Length of a shortcode name at the start of `b`: a letter, then letters, digits, `_` or `-`.
fn shortcode_name_len(b: &[u8]) -> usize {
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() => {
            1 + b[1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'-').count()
        }
        _ => 0,
    }
}

/// Parses shortcode attributes: `key="v"`, `key='v'`, `key=v`, and positional `"v"`, `'v'`, `v`.
fn parse_attrs(raw: &str) -> Attrs {
    let b = raw.as_bytes();
    let mut attrs = Attrs::default();
    let mut i = 0;
    loop {
        i = skip_ws(raw, i);
        if i >= b.len() {
            break;
        }
        let name_len = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'-').count();
        if name_len > 0 {
            let eq = skip_ws(raw, i + name_len);
            if b.get(eq) == Some(&b'=') {
                let (value, next) = parse_value(raw, skip_ws(raw, eq + 1));
                attrs.named.push((raw[i..i + name_len].to_ascii_lowercase(), value.to_string()));
                i = next;
                continue;
            }
        }
        let (value, next) = parse_value(raw, i);
        attrs.positional.push(value.to_string());
        i = next.max(i + 1);
    }
    attrs
}

/// A quoted or bare value at `i`; returns it and the index after it.
fn parse_value(raw: &str, i: usize) -> (&str, usize) {
    let b = raw.as_bytes();
    match b.get(i) {
        Some(&q) if q == b'"' || q == b'\'' => match raw[i + 1..].find(q as char) {
            Some(len) => (&raw[i + 1..i + 1 + len], i + 2 + len),
            None => (&raw[i + 1..], raw.len()),
        },
        Some(_) => {
            let len = b[i..].iter().take_while(|c| !c.is_ascii_whitespace()).count();
            (&raw[i..i + len], i + len)
        }
        None => ("", i),
    }
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn parse_ids(list: &str) -> Vec<u64> {
    list.split(',').filter_map(|p| p.trim().parse().ok()).collect()
}

fn text_outside_tags(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        match s[i..].find('<') {
            Some(off) => {
                out.push_str(&s[i..i + off]);
                let at = i + off;
                i = parse_html_tag(s, at, s.len()).map_or_else(
                    || {
                        out.push('<');
                        at + 1
                    },
                    |t| t.end,
                );
            }
            None => {
                out.push_str(&s[i..]);
                break;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Auto-embeds
// ---------------------------------------------------------------------------------------------

/// Elements inside which a URL line is not an embed (literal text, or already a link).
const NO_EMBED_ELEMENTS: &[&str] = &["pre", "code", "a", "textarea", "script", "style"];

/// WordPress turns a URL alone on its line into an embed. The site loads no third-party frames,
/// so it becomes a plain link; in classic content a paragraph of its own, as the embed would be.
fn autoembed(text: &str, classic: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut depth: usize = 0;
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = text[line_start..].find('\n').map_or(text.len(), |e| line_start + e);
        let line = &text[line_start..line_end];
        let body = line.trim();
        // Most lines are not URLs; copying is deferred so they cost no separate pushes.
        if depth == 0 && body.starts_with("http") && is_bare_url(body) {
            out.push_str(&text[copied..line_start]);
            if classic {
                out.push_str("<p>");
                push_link(&mut out, body);
                out.push_str("</p>");
            } else {
                push_link(&mut out, body);
            }
            copied = line_end;
        } else if line.contains('<') {
            depth = track_depth(line, depth);
        }
        line_start = line_end + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Follows how deep a line leaves us inside elements where URL lines must stay as they are.
fn track_depth(line: &str, mut depth: usize) -> usize {
    let b = line.as_bytes();
    let mut pos = 0;
    while let Some(off) = line[pos..].find('<') {
        let at = pos + off;
        pos = at + 1;
        let closing = b.get(at + 1) == Some(&b'/');
        let name_start = if closing { at + 2 } else { at + 1 };
        let name_len = b[name_start.min(b.len())..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        let name = &line[name_start.min(line.len())..(name_start + name_len).min(line.len())];
        if NO_EMBED_ELEMENTS.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            depth = if closing { depth.saturating_sub(1) } else { depth + 1 };
        }
    }
    depth
}

fn is_bare_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"')))
}

fn push_link(out: &mut String, url: &str) {
    out.push_str("<a href=\"");
    push_escaped(out, url);
    out.push_str("\">");
    push_escaped(out, url);
    out.push_str("</a>");
}

fn push_link_paragraph(out: &mut String, url: &str) {
    out.push_str("<p>");
    push_link(out, url);
    out.push_str("</p>");
}

/// Escapes text for use in HTML content or a double-quoted attribute. An `&` that already starts
/// an entity is kept, since WordPress stores URLs and captions with entities already in them.
fn push_escaped(out: &mut String, s: &str) {
    for (i, c) in s.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' if !starts_entity(&s[i + 1..]) => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
}

/// Whether text after an `&` is the rest of a character reference (`amp;`, `#38;`, `#x26;`).
fn starts_entity(s: &str) -> bool {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(b'#') => match b.get(1) {
            Some(b'x') | Some(b'X') => b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count() + 2,
            _ => b[1..].iter().take_while(|c| c.is_ascii_digit()).count() + 1,
        },
        _ => b.iter().take_while(|c| c.is_ascii_alphanumeric()).count(),
    };
    body > 0 && body <= 32 && b.get(body) == Some(&b';') && b[body - 1] != b'#' && !b[..body].ends_with(b"#x")
}

// ---------------------------------------------------------------------------------------------
// HTML scanning
// ---------------------------------------------------------------------------------------------

/// An HTML start or end tag.
struct HtmlTag<'a> {
    /// Element name as written (compare ignoring ASCII case).
    name: &'a str,
    closing: bool,
    self_closing: bool,
    /// Index just past `>`.
    end: usize,
}

/// Parses a tag starting at `i` (which holds `<`), looking no further than `limit`. Quoted
/// attribute values may contain `>`; an unquoted `<` ends the attempt, which keeps repeated
/// failed attempts from rescanning the same text.
fn parse_html_tag(s: &str, i: usize, limit: usize) -> Option<HtmlTag<'_>> {
    let b = &s.as_bytes()[..limit];
    if b.get(i) != Some(&b'<') {
        return None;
    }
    let closing = b.get(i + 1) == Some(&b'/');
    let name_start = if closing { i + 2 } else { i + 1 };
    if !b.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_len =
        b[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':').count();
    let mut k = name_start + name_len;
    if let Some(c) = b.get(k)
        && !(c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
    {
        return None;
    }
    while k < b.len() {
        match b[k] {
            b'>' => {
                return Some(HtmlTag {
                    name: &s[name_start..name_start + name_len],
                    closing,
                    self_closing: b[k - 1] == b'/',
                    end: k + 1,
                });
            }
            b'<' => return None,
            q @ (b'"' | b'\'') => {
                let len = b[k + 1..].iter().position(|c| *c == q)?;
                k += len + 2;
            }
            _ => k += 1,
        }
    }
    None
}

/// Finds `</name …>` (any case) in `s[from..limit]`; returns its start and the index past `>`.
fn find_closing_tag(s: &str, from: usize, limit: usize, name: &str) -> Option<(usize, usize)> {
    let mut pos = from;
    while let Some(off) = s[pos..limit].find("</") {
        let at = pos + off;
        if let Some(tag) = parse_html_tag(s, at, limit).filter(|t| t.name.eq_ignore_ascii_case(name)) {
            return Some((at, tag.end));
        }
        pos = at + 2;
    }
    None
}

fn is_verbatim(name: &str) -> bool {
    lookup(VERBATIM_ELEMENTS, name).is_some()
}

/// The entry of `list` equal to `name` ignoring ASCII case; avoids allocating lower-cased names.
fn lookup(list: &[&'static str], name: &str) -> Option<&'static str> {
    list.iter().copied().find(|n| n.eq_ignore_ascii_case(name))
}

// ---------------------------------------------------------------------------------------------
// Automatic paragraphs (classic content)
// ---------------------------------------------------------------------------------------------

/// Elements that start a block: never wrapped in `<p>`, and newlines next to them are not `<br />`.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "area",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "iframe",
    "legend",
    "li",
    "main",
    "map",
    "math",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Block elements without content.
const VOID_BLOCKS: &[&str] = &["area", "col", "hr"];

/// How many open block elements `autop` follows; real posts nest a handful.
const MAX_OPEN_BLOCKS: usize = 256;

/// Elements whose content is kept byte for byte; `pre` is also a block.
const RAW_ELEMENTS: &[&str] = &["pre", "script", "style", "textarea", "svg"];

/// Containers that hold paragraphs: text in them becomes `<p>` unless it fills the element alone
/// (`<div>text</div>` stays as it is, like WordPress does).
const FLOW_CONTAINERS: &[&str] = &[
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "nav",
    "form",
    "blockquote",
    "details",
    "fieldset",
];

/// Elements that may only hold inline content, so no `<p>` may be opened in them.
const PHRASING_ONLY: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    /// A block with no content of ours to look into: `<hr>`, a whole `<pre>…</pre>`.
    Void,
    /// An inline tag, a comment, or a raw inline element such as `<script>…</script>`.
    Inline,
    Text,
}

struct Tok<'a> {
    kind: Kind,
    raw: &'a str,
    /// Lower-case element name for block tokens, empty otherwise.
    name: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Flow,
    /// List items, cells, captions: one line of text there stays unwrapped.
    Tight,
    Phrasing,
}

/// WordPress-style automatic paragraphs: text separated by blank lines becomes paragraphs, other
/// newlines become `<br />`, and block-level markup is left as it stands.
fn autop(text: &str) -> String {
    let toks = tokenize(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut stack: Vec<&'static str> = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let tok = &toks[k];
        match tok.kind {
            Kind::Open | Kind::Void => {
                close_implicitly(&mut stack, tok.name);
                // Capped so that closing-tag lookups stay cheap on absurdly deep markup.
                if tok.kind == Kind::Open && stack.len() < MAX_OPEN_BLOCKS {
                    stack.push(tok.name);
                }
                out.push_str(tok.raw);
                k += 1;
            }
            Kind::Close => {
                if let Some(at) = stack.iter().rposition(|n| *n == tok.name) {
                    stack.truncate(at);
                }
                out.push_str(tok.raw);
                k += 1;
            }
            Kind::Inline | Kind::Text => {
                let start = k;
                while k < toks.len() && matches!(toks[k].kind, Kind::Inline | Kind::Text) {
                    k += 1;
                }
                let parent = match stack.last().copied() {
                    None => Parent::Flow,
                    Some(n) if FLOW_CONTAINERS.contains(&n) => Parent::Flow,
                    Some(n) if PHRASING_ONLY.contains(&n) => Parent::Phrasing,
                    Some(_) => Parent::Tight,
                };
                let prev = start.checked_sub(1).map(|p| &toks[p]);
                autop_run(&toks[start..k], prev, toks.get(k), parent, &mut out);
            }
        }
    }
    out
}

/// Mimics the end tags HTML implies, so the parent of later text is judged right.
fn close_implicitly(stack: &mut Vec<&'static str>, opening: &str) {
    while let Some(top) = stack.last().copied() {
        let implied = top == "p"
            || (opening == "li" && top == "li")
            || (matches!(opening, "dt" | "dd") && matches!(top, "dt" | "dd"))
            || (matches!(opening, "td" | "th" | "tr") && matches!(top, "td" | "th"))
            || (opening == "tr" && top == "tr");
        if !implied {
            break;
        }
        stack.pop();
    }
}

fn tokenize<'t>(text: &'t str) -> Vec<Tok<'t>> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let push = |toks: &mut Vec<Tok<'t>>, kind, start: usize, end: usize, name: &'static str| {
        if end > start {
            toks.push(Tok { kind, raw: &text[start..end], name });
        }
    };
    while let Some(off) = text[i..].find('<') {
        let at = i + off;
        let found = if text[at..].starts_with("<!--") {
            let end = text[at + 4..].find("-->").map_or(text.len(), |e| at + 4 + e + 3);
            Some((Kind::Inline, end, ""))
        } else if let Some(tag) = parse_html_tag(text, at, text.len()) {
            let block = lookup(BLOCK_ELEMENTS, tag.name);
            if let (false, false, Some(raw)) = (tag.closing, tag.self_closing, lookup(RAW_ELEMENTS, tag.name)) {
                let end = find_closing_tag(text, tag.end, text.len(), raw).map_or(text.len(), |(_, e)| e);
                Some((if block.is_some() { Kind::Void } else { Kind::Inline }, end, block.unwrap_or("")))
            } else if let Some(name) = block {
                let kind = if tag.closing {
                    Kind::Close
                } else if tag.self_closing || VOID_BLOCKS.contains(&name) {
                    Kind::Void
                } else {
                    Kind::Open
                };
                Some((kind, tag.end, name))
            } else {
                Some((Kind::Inline, tag.end, ""))
            }
        } else if matches!(b.get(at + 1), Some(b'!') | Some(b'?')) {
            // Doctype or processing instruction; stop at the next `<` to stay linear.
            let rest = &b[at + 1..];
            match rest.iter().position(|c| *c == b'>' || *c == b'<') {
                Some(p) if rest[p] == b'>' => Some((Kind::Inline, at + 1 + p + 1, "")),
                _ => None,
            }
        } else {
            None
        };
        match found {
            Some((kind, end, name)) => {
                push(&mut toks, Kind::Text, text_start, at, "");
                push(&mut toks, kind, at, end, name);
                text_start = end;
                i = end;
            }
            None => i = at + 1,
        }
        if i >= text.len() {
            break;
        }
    }
    push(&mut toks, Kind::Text, text_start, text.len(), "");
    toks
}

/// Whether the edge of text next to this block token separates paragraphs. Text right inside an
/// element (`<li>text</li>`) is not a paragraph of its own; `<blockquote>` content is, as in WordPress.
fn is_strong_edge(tok: Option<&Tok>, inner_kind: Kind) -> bool {
    match tok {
        Some(t) if t.kind == inner_kind => t.name == "blockquote",
        _ => true,
    }
}

/// Paragraph-wraps one run of inline content lying between block tokens.
fn autop_run(run: &[Tok], prev: Option<&Tok>, next: Option<&Tok>, parent: Parent, out: &mut String) {
    // Split at blank lines into paragraphs of (is_text, slice) pieces, kept in one flat list (with
    // the start of each paragraph) so that thousands of short paragraphs cost no allocations each.
    let mut pieces: Vec<(bool, &str)> = Vec::with_capacity(run.len() + 1);
    let mut starts: Vec<usize> = vec![0];
    for tok in run {
        if tok.kind != Kind::Text {
            pieces.push((false, tok.raw));
            continue;
        }
        let mut rest = tok.raw;
        while let Some((a, z)) = find_blank_line(rest) {
            pieces.push((true, &rest[..a]));
            starts.push(pieces.len());
            rest = &rest[z..];
        }
        pieces.push((true, rest));
    }
    let bounds: Vec<(usize, usize)> =
        starts.iter().enumerate().map(|(k, &a)| (a, starts.get(k + 1).copied().unwrap_or(pieces.len()))).collect();
    for &(a, z) in &bounds {
        trim_pieces(&mut pieces[a..z]);
    }
    let paras: Vec<&[(bool, &str)]> = bounds.iter().map(|&(a, z)| &pieces[a..z]).collect();
    let count = paras.iter().filter(|p| !is_blank(p)).count();
    if count == 0 {
        // Whitespace between blocks: keep a line break for readability, nothing more.
        if run.iter().any(|t| t.raw.contains('\n')) {
            out.push('\n');
        }
        return;
    }
    let last = paras.len() - 1;
    let mut emitted = 0;
    for (idx, &para) in paras.iter().enumerate() {
        if is_blank(para) {
            continue;
        }
        let only_comments = para.iter().all(|(is_text, s)| if *is_text { s.is_empty() } else { s.starts_with("<!--") });
        let start_strong = idx > 0 || is_strong_edge(prev, Kind::Open);
        let end_strong = idx < last || is_strong_edge(next, Kind::Close);
        let wrap = !only_comments
            && match parent {
                Parent::Phrasing => false,
                Parent::Tight => count > 1,
                Parent::Flow => start_strong || end_strong,
            };
        if wrap {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("<p>");
            push_with_breaks(para, out);
            out.push_str("</p>\n");
        } else {
            if emitted > 0 && parent == Parent::Phrasing {
                // A blank line inside a `<p>` cannot open a new paragraph there.
                out.push_str("<br />\n");
            }
            push_with_breaks(para, out);
            if only_comments {
                out.push('\n');
            }
        }
        emitted += 1;
    }
}

/// First blank line in `s` (a newline, optional spaces or tabs, another newline): returns where it
/// starts and where the whitespace following it ends.
fn find_blank_line(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut pos = 0;
    while let Some(off) = s[pos..].find('\n') {
        let nl = pos + off;
        let mut j = nl + 1;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if b.get(j) == Some(&b'\n') {
            let end = j + b[j..].iter().take_while(|c| c.is_ascii_whitespace()).count();
            return Some((nl, end));
        }
        pos = nl + 1;
    }
    None
}

/// Trims whitespace from the text pieces at both ends of a paragraph.
fn trim_pieces(para: &mut [(bool, &str)]) {
    for piece in para.iter_mut() {
        if !piece.0 {
            break;
        }
        piece.1 = piece.1.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if !piece.1.is_empty() {
            break;
        }
    }
    for piece in para.iter_mut().rev() {
        if !piece.0 {
            break;
        }
        piece.1 = piece.1.trim_end_matches(|c: char| c.is_ascii_whitespace());
        if !piece.1.is_empty() {
            break;
        }
    }
}

fn is_blank(para: &[(bool, &str)]) -> bool {
    para.iter().all(|(is_text, s)| *is_text && s.is_empty())
}

/// Writes paragraph content with each remaining newline as `<br />`, unless one is already there.
fn push_with_breaks(para: &[(bool, &str)], out: &mut String) {
    let mut after_br = false;
    for (is_text, s) in para {
        if !is_text {
            out.push_str(s);
            after_br = parse_html_tag(s, 0, s.len()).is_some_and(|t| t.name.eq_ignore_ascii_case("br"));
            continue;
        }
        let last = s.matches('\n').count();
        for (j, line) in s.split('\n').enumerate() {
            if j > 0 {
                out.push_str(if after_br { "\n" } else { "<br />\n" });
                after_br = false;
            }
            if line.trim().is_empty() {
                // An empty line keeps the `<br />` state of the line before it.
                if j > 0 {
                    after_br = true;
                }
                continue;
            }
            // Spaces before a `<br />` are noise; spaces before an inline tag are not.
            out.push_str(if j < last { line.trim_end_matches([' ', '\t']) } else { line });
            after_br = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture;

    fn image(n: u64) -> Attachment {
        Attachment {
            url: format!("https://img.test/{n}.jpg"),
            alt: format!("Alt {n}"),
            caption: if n.is_multiple_of(2) { format!("Caption {n}") } else { String::new() },
            width: Some(640),
            height: Some(480),
        }
    }

    impl Attachments for Fixture {
        fn by_id(&self, id: u64) -> Option<Attachment> {
            (id < 100).then(|| image(id))
        }
        fn children_of(&self, post_id: u64) -> Vec<Attachment> {
            if post_id == 7 { vec![image(50), image(51)] } else { Vec::new() }
        }
    }

    fn html(s: &str) -> String {
        to_html(s, 7, &Fixture)
    }

    #[test]
    fn empty_input() {
        assert_eq!(html(""), "");
        assert_eq!(html("  \n\n "), "");
    }

    #[test]
    fn block_delimiters_are_stripped_without_paragraphs() {
        let src = "<!-- wp:paragraph {\"align\":\"left\"} -->\n<p>Hello\nthere</p>\n<!-- /wp:paragraph -->\n\n\
                   <!-- wp:latest-posts {\"postsToShow\":3} /-->\n\n<!-- wp:my-plugin/box -->\n<div>Box</div>\n<!-- /wp:my-plugin/box -->";
        let out = html(src);
        assert!(!out.contains("wp:"), "{out}");
        assert!(out.contains("<p>Hello\nthere</p>"), "no <br> in block content: {out}");
        assert!(out.contains("<div>Box</div>"));
        assert!(!out.contains("<p><div>"));
    }

    #[test]
    fn classic_paragraphs_and_breaks() {
        let out = html("First line\nsecond line\n\nNext paragraph");
        assert_eq!(out, "<p>First line<br />\nsecond line</p>\n<p>Next paragraph</p>");
    }

    #[test]
    fn block_elements_are_not_wrapped() {
        let out = html("Intro\n<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\nOutro\n\n<h2>Title</h2>\n<hr />\nEnd");
        assert!(out.contains("<p>Intro</p>"), "{out}");
        assert!(out.contains("<li>One</li>"), "{out}");
        assert!(out.contains("<p>Outro</p>"), "{out}");
        assert!(out.contains("<h2>Title</h2>"), "{out}");
        assert!(out.contains("<p>End</p>"), "{out}");
        assert!(!out.contains("<br />"), "{out}");
        assert!(!out.contains("<p></p>"), "{out}");
    }

    #[test]
    fn text_filling_a_div_stays_unwrapped() {
        assert_eq!(html("<div>\nJust this\n</div>"), "<div>Just this</div>");
        assert_eq!(html("<div>a\n\nb</div>"), "<div>\n<p>a</p>\n<p>b</p>\n</div>");
        assert_eq!(html("<blockquote>Quoted</blockquote>"), "<blockquote>\n<p>Quoted</p>\n</blockquote>");
    }

    #[test]
    fn existing_paragraphs_are_not_doubled() {
        assert_eq!(html("<p>Already</p>\n\n<p>Done</p>"), "<p>Already</p>\n<p>Done</p>");
    }

    #[test]
    fn pre_is_left_alone() {
        let src = "Before\n<pre>line one\n\nline two [gallery] [[x]]\n</pre>\nAfter";
        let out = html(src);
        assert!(out.contains("<pre>line one\n\nline two [gallery] [[x]]\n</pre>"), "{out}");
        assert!(out.contains("<p>Before</p>") && out.contains("<p>After</p>"), "{out}");
    }

    #[test]
    fn shortcodes_in_code_are_literal() {
        let out = html("Use <code>[caption]x[/caption]</code> like this.");
        assert_eq!(out, "<p>Use <code>[caption]x[/caption]</code> like this.</p>");
    }

    #[test]
    fn page_markers_are_removed() {
        let out = html("Teaser<!--more Keep reading-->\n\nRest<!--nextpage-->Page two <!-- note -->");
        assert!(!out.contains("more") && !out.contains("nextpage"), "{out}");
        assert!(out.contains("<!-- note -->"));
    }

    #[test]
    fn caption_with_text_after_image() {
        let out = html(
            r#"[caption id="attachment_12" align="alignright" width="300"]<img src="a.jpg" alt="x" /> A boat[/caption]"#,
        );
        assert_eq!(
            out,
            r#"<figure class="wp-caption alignright"><img src="a.jpg" alt="x" /><figcaption>A boat</figcaption></figure>"#
        );
    }

    #[test]
    fn caption_with_link_and_attribute_form() {
        let out = html(
            r#"[wp_caption align="alignnone" caption="Sea view"]<a href="big.jpg"><img src="a.jpg"></a>[/wp_caption]"#,
        );
        assert_eq!(
            out,
            r#"<figure class="wp-caption alignnone"><a href="big.jpg"><img src="a.jpg"></a><figcaption>Sea view</figcaption></figure>"#
        );
        let linked = html("[caption]<a href=\"b\">\n<img src=\"a.jpg\">\n</a> Linked[/caption]");
        assert!(linked.contains("</a><figcaption>Linked</figcaption>"), "{linked}");
    }

    #[test]
    fn caption_without_text_keeps_content() {
        assert_eq!(html(r#"[caption]<img src="a.jpg">[/caption]"#), r#"<p><img src="a.jpg"></p>"#);
    }

    #[test]
    fn gallery_by_ids_and_children() {
        let out = html(r#"[gallery ids="2, 3,999" columns="3"]"#);
        assert_eq!(
            out,
            "<figure class=\"gallery\"><figure class=\"gallery-item\"><img src=\"https://img.test/2.jpg\" alt=\"Alt 2\" \
             width=\"640\" height=\"480\"><figcaption>Caption 2</figcaption></figure><figure class=\"gallery-item\">\
             <img src=\"https://img.test/3.jpg\" alt=\"Alt 3\" width=\"640\" height=\"480\"></figure></figure>"
        );
        let children = html("[gallery]");
        assert_eq!(children.matches("<img").count(), 2, "{children}");
        let included = html(r#"[gallery include="4"]"#);
        assert!(included.contains("4.jpg") && included.matches("<img").count() == 1);
        let excluded = html(r#"[gallery exclude="50"]"#);
        assert!(!excluded.contains("50.jpg") && excluded.contains("51.jpg"), "{excluded}");
    }

    #[test]
    fn empty_gallery_is_removed() {
        assert_eq!(html("Before\n\n[gallery ids=\"500\"]\n\nAfter"), "<p>Before</p>\n<p>After</p>");
        assert_eq!(to_html("[gallery]", 8, &Fixture), "");
    }

    #[test]
    fn embeds_become_links() {
        assert_eq!(
            html("[embed]https://video.test/watch?v=1&amp;t=2[/embed]"),
            r#"<p><a href="https://video.test/watch?v=1&amp;t=2">https://video.test/watch?v=1&amp;t=2</a></p>"#
        );
        let out = html("Look:\n\nhttps://video.test/v/9\n\nNice.");
        assert_eq!(
            out,
            "<p>Look:</p>\n<p><a href=\"https://video.test/v/9\">https://video.test/v/9</a></p>\n<p>Nice.</p>"
        );
        // A URL that shares its line with text is not an embed.
        assert!(!html("See https://a.test/ now").contains("<a"));
        // Nor is one inside a link or preformatted text.
        assert!(!html("<pre>\nhttps://a.test/\n</pre>").contains("<a"));
    }

    #[test]
    fn block_embed_wrapper_gets_a_link() {
        let src = "<!-- wp:embed {\"url\":\"https://v.test/1\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://v.test/1\n</div></figure>\n<!-- /wp:embed -->";
        let out = html(src);
        assert!(
            out.contains(
                "<div class=\"wp-block-embed__wrapper\">\n<a href=\"https://v.test/1\">https://v.test/1</a>\n</div>"
            ),
            "{out}"
        );
    }

    #[test]
    fn audio_video_playlist() {
        let link = |u: &str| format!("<p><a href=\"{u}\">{u}</a></p>");
        assert_eq!(html(r#"[audio src="https://m.test/a.mp3"]"#), link("https://m.test/a.mp3"));
        assert_eq!(html(r#"[audio mp3="https://m.test/b.mp3"][/audio]"#), link("https://m.test/b.mp3"));
        assert_eq!(html("[audio https://m.test/c.mp3]"), link("https://m.test/c.mp3"));
        assert_eq!(html(r#"[video width="640" mp4='https://m.test/d.mp4']"#), link("https://m.test/d.mp4"));
        assert_eq!(html(r#"[video src=https://m.test/e.webm /]"#), link("https://m.test/e.webm"));
        assert_eq!(html(r#"[playlist ids="1,2"]"#), "");
        assert_eq!(html("[youtube=https://yt.test/watch?v=x]"), link("https://yt.test/watch?v=x"));
    }

    #[test]
    fn unknown_shortcodes_are_removed_keeping_content() {
        assert_eq!(html(r#"Write to us. [contact-form-7 id="1" title="Contact"]"#), "<p>Write to us.</p>");
        assert_eq!(html(r#"[su_button url="x"]Click [b]me[/b][/su_button] now"#), "<p>Click me now</p>");
        assert_eq!(html("Gone: [widget /] [box color=red]."), "<p>Gone:  .</p>");
        assert_eq!(html("[note]Inner[/note]"), "<p>Inner</p>");
        assert_eq!(html("Stray [/note] closer"), "<p>Stray  closer</p>");
    }

    #[test]
    fn brackets_that_are_not_shortcodes_stay() {
        for s in ["Footnote [1] here", "It was [sic] wrong", "a [simple boat] too", "[Link](x)", "x [a.b] y", "[ ]"] {
            assert_eq!(html(s), format!("<p>{s}</p>"));
        }
    }

    #[test]
    fn escaped_shortcodes_show_literally() {
        assert_eq!(html("Type [[gallery]] to add one."), "<p>Type [gallery] to add one.</p>");
        assert_eq!(html("[[caption]x[/caption]]"), "<p>[caption]x[/caption]</p>");
        assert_eq!(html("[[sic]]"), "<p>[[sic]]</p>");
    }

    #[test]
    fn nested_and_unclosed_markup_does_not_panic() {
        for s in [
            "[caption",
            "[caption]<img",
            "[[",
            "]]",
            "[/",
            "<",
            "<!--",
            "<pre>never closed [gallery]",
            "<div><p>x</div></li></ul>",
            "[a x=\"]",
            "[a x=\"unterminated]rest[/a]",
            "<a href=\"x>y",
            "ünïcødé [ünï] <ü> [caption]é[/caption] 日本語\n\n語",
            "[[caption]",
            "[embed][/embed]",
            "<p>one\n\ntwo</p>",
            "[note][[/note]",
            "[note]x[[/note]]",
            "[note]x[/[/note]",
            "[a/",
            "[[a/]",
            "&#x;&#; & &amp [embed]a&b\"<[/embed]",
        ] {
            let _ = html(s);
        }
        assert_eq!(html("<p>one\n\ntwo</p>"), "<p>one<br />\ntwo</p>");
    }

    #[test]
    fn random_markup_never_panics() {
        // Deterministic pseudo-random strings built from the characters the scanners care about.
        let alphabet: Vec<&str> = vec![
            "[",
            "]",
            "/",
            "<",
            ">",
            "!--",
            "-->",
            "\"",
            "'",
            "=",
            " ",
            "\n",
            "\n\n",
            "a",
            "caption",
            "gallery",
            "embed",
            "pre",
            "code",
            "p",
            "div",
            "li",
            "img ",
            "é",
            "語",
            "https://x.test/",
            "wp:",
            "more",
            "&",
            "#",
            ";",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..4000 {
            let mut input = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let len = (seed >> 58) as usize;
            for _ in 0..len {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                input.push_str(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let _ = html(&input);
            let _ = html(&format!("<!-- wp:x -->{input}"));
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut s = String::new();
        for _ in 0..5000 {
            s.push_str("[box x=1]");
        }
        s.push_str("core");
        for _ in 0..5000 {
            s.push_str("[/box]");
        }
        let out = html(&s);
        assert!(out.contains("core"));
        assert!(!out.contains("[box"), "{}", &out[..200.min(out.len())]);
    }

    #[test]
    fn large_inputs_convert_quickly() {
        let samples = [
            "Some words here [unknown a=1] and <em>more</em>\n".repeat(20_000),
            "[x a=1]".repeat(150_000),
            "<a \"".repeat(250_000),
            "[".repeat(1_000_000),
            "<div>".repeat(200_000),
            "text\n\n".repeat(160_000),
            "[[a b=1]".repeat(120_000),
            "<!-".repeat(300_000),
            format!("{}{}", "<div>".repeat(100_000), "</p>".repeat(100_000)),
        ];
        for s in &samples {
            let started = std::time::Instant::now();
            let _ = html(s);
            let elapsed = started.elapsed();
            println!("{} bytes: {elapsed:?}", s.len());
            // Generous bound for debug builds on a busy machine; release is far below 100 ms.
            assert!(elapsed.as_millis() < 2_000, "{} bytes took {elapsed:?}", s.len());
        }
    }

    /// Removes `<pre>` and `<code>` elements, where shortcodes may legitimately remain.
    fn outside_code(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        loop {
            let next = ["<pre", "<code"].iter().filter_map(|t| rest.find(t).map(|i| (i, *t))).min();
            let Some((i, t)) = next else {
                out.push_str(rest);
                return out;
            };
            out.push_str(&rest[..i]);
            let close = if t == "<pre" { "</pre>" } else { "</code>" };
            match rest[i..].find(close) {
                Some(j) => rest = &rest[i + j + close.len()..],
                None => return out,
            }
        }
    }

    fn contents_of(xml: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find("<content:encoded>") {
            rest = rest[i + "<content:encoded>".len()..].trim_start();
            let mut text = String::new();
            // A CDATA section cannot hold `]]>`, so exporters split content into several sections.
            while let Some(body) = rest.strip_prefix("<![CDATA[") {
                let Some(end) = body.find("]]>") else { break };
                text.push_str(&body[..end]);
                rest = &body[end + 3..];
            }
            found.push(text);
        }
        found
    }

    struct AnyId;

    impl Attachments for AnyId {
        fn by_id(&self, id: u64) -> Option<Attachment> {
            Some(image(id))
        }
        fn children_of(&self, _post_id: u64) -> Vec<Attachment> {
            vec![image(1), image(2)]
        }
    }

    /// Runs on the shared test data only when `.ci/run` points `NEWSROOM_SHARED_DATA` at it (README's test
    /// command needs no data outside the repository).
    #[test]
    fn theme_unit_test_data_leaves_no_shortcodes() {
        let Some(dir) = std::env::var_os("NEWSROOM_SHARED_DATA") else { return };
        let path = std::path::Path::new(&dir).join("wordpress/themeunittestdata.wordpress.xml");
        let xml = match std::fs::read_to_string(&path) {
            Ok(xml) => xml,
            Err(error) => panic!("NEWSROOM_SHARED_DATA is set but {} cannot be read: {error}", path.display()),
        };
        let contents = contents_of(&xml);
        assert!(contents.len() > 100, "only {} posts found", contents.len());
        for (n, content) in contents.iter().enumerate() {
            let out = to_html(content, 1, &AnyId);
            let visible = outside_code(&out);
            for remnant in ["<!-- wp:", "[caption", "[gallery", "[embed", "[audio", "[video", "[/"] {
                assert!(!visible.contains(remnant), "post #{n} keeps {remnant:?}:\n{out}");
            }
            // Some block posts store empty paragraphs themselves; only ours would be a bug.
            assert!(content.contains("<p></p>") || !out.contains("<p></p>"), "post #{n} gains <p></p>:\n{out}");
        }
    }
}
