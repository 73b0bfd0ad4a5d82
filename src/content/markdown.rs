//! Markdown to safe HTML, done once when content is saved.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Renders Markdown to HTML and sanitises the result, so that neither raw HTML in the source nor a crafted
/// link can carry script to readers.
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let events = footnotes(figures(Parser::new_ext(markdown, options).collect()));
    html::push_html(&mut unsafe_html, events.into_iter());
    sanitizer(true).clean(&unsafe_html).to_string()
}

/// Footnotes numbered in the order they are first referred to, each mark linking to its note: pulldown-cmark's
/// own markup names notes by their labels in `id`s, which the sanitiser would drop (an `id` from a body could
/// clash with the page's own). Ours are `note-N` and `noteref-N`, the only `id`s the sanitiser lets through.
fn footnotes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for event in &events {
        if let Event::FootnoteReference(label) = event {
            let next = numbers.len() + 1;
            numbers.entry(label.to_string()).or_insert(next);
        }
    }
    let mut referred = HashSet::new();
    events
        .into_iter()
        .map(|event| match event {
            Event::FootnoteReference(label) => {
                let n = numbers.get(label.as_ref()).copied().unwrap_or_default();
                // Only the first mark of a note carries the id its note could link back to.
                let id = if referred.insert(n) { format!(" id=\"noteref-{n}\"") } else { String::new() };
                Event::Html(format!("<sup class=\"footnote-ref\"><a href=\"#note-{n}\"{id}>{n}</a></sup>").into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => match numbers.get(label.as_ref()) {
                Some(n) => Event::Html(
                    format!("<div class=\"footnote\" id=\"note-{n}\"><span class=\"footnote-label\">{n}.</span>")
                        .into(),
                ),
                None => Event::Html("<div class=\"footnote\">".into()),
            },
            Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>\n".into()),
            other => other,
        })
        .collect()
}

/// A paragraph that holds only an image with a title (`![alt](/media/x.jpg "The caption")`, as the editor
/// writes an image with a caption) becomes a figure, the title its caption.
fn figures(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut at = 0;
    while at + 1 < events.len() {
        let (Event::Start(Tag::Paragraph), Event::Start(Tag::Image { title, .. })) = (&events[at], &events[at + 1])
        else {
            at += 1;
            continue;
        };
        let caption = title.trim().to_owned();
        // The image's own events (its description) run to its end; the paragraph must end right there.
        let Some(image_end) = events[at + 1..].iter().position(|e| matches!(e, Event::End(TagEnd::Image))) else {
            break;
        };
        let end = at + 1 + image_end + 1;
        if caption.is_empty() || !matches!(events.get(end), Some(Event::End(TagEnd::Paragraph))) {
            at += 1;
            continue;
        }
        events[at] = Event::Html("<figure>".into());
        // The caption goes in as text, which the HTML writer escapes.
        let caption = [
            Event::Html("<figcaption>".into()),
            Event::Text(caption.into()),
            Event::Html("</figcaption></figure>\n".into()),
        ];
        events.splice(end..=end, caption);
        at = end + 3;
    }
    events
}

/// The words a reader sees in a Markdown text, without markup: what search indexes and quotes in snippets.
/// Raw HTML in the source is dropped, as the sanitiser would drop most of it; block ends become spaces so that
/// words of neighbouring paragraphs stay apart.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ')
            }
            Event::End(TagEnd::TableCell) => text.push(' '),
            _ => {}
        }
    }
    text.truncate(text.trim_end().len());
    text
}

/// Sanitises HTML that arrives as HTML (imports) exactly as rendered Markdown is sanitised.
pub fn sanitize_html(html: &str) -> String {
    sanitizer(true).clean(html).to_string()
}

/// The same, keeping the addresses of images on other sites: for the Markdown an editor edits, so that an
/// imported body still names its images when they are copied into the library. Pages never show this HTML;
/// rendering the Markdown drops those addresses again.
pub fn sanitize_source_html(html: &str) -> String {
    sanitizer(false).clean(html).to_string()
}

/// ammonia's defaults (no script, no event handlers, safe URL schemes), `rel` on links that leave the site,
/// and images only from the site itself: an image elsewhere would make every reader's browser ask another
/// site for it, which no reader chose. Such an image keeps its description, which readers see instead.
fn sanitizer(own_images_only: bool) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener noreferrer nofollow"));
    if !own_images_only {
        return builder;
    }
    // Footnotes: their marks, notes and numbers (see `footnotes`); pull quotes, written as
    // `<aside class="pull-quote">` around their paragraphs (the editor's Pull quote).
    builder
        .add_allowed_classes("aside", ["pull-quote"])
        .add_tag_attributes("a", ["id"])
        .add_tag_attributes("div", ["id"])
        .add_allowed_classes("sup", ["footnote-ref"])
        .add_allowed_classes("div", ["footnote"])
        .add_allowed_classes("span", ["footnote-label"]);
    builder.attribute_filter(|element, attribute, value| match (element, attribute) {
        ("img", "src") if !is_own_address(value) => None,
        (_, "id") if !is_note_id(value) => None,
        _ => Some(value.into()),
    });
    builder
}

/// `note-3` or `noteref-3`: the only ids a body may give its elements.
fn is_note_id(value: &str) -> bool {
    let number = value.strip_prefix("note-").or_else(|| value.strip_prefix("noteref-"));
    number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A path on this site (`/media/…`, `photo.jpg`), as opposed to an address with a scheme (`https:`, `data:`)
/// or a scheme-relative one (`//elsewhere.example/…`), either of which may name another site. Browsers treat
/// a backslash as a slash and skip tabs and newlines, so `/\host` and `/\t/host` name other sites too.
fn is_own_address(value: &str) -> bool {
    let url: String = value.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let path_start = url.find(['/', '?', '#']).unwrap_or(url.len());
    let has_scheme = url[..path_start].contains(':');
    let scheme_relative = url.starts_with("//") || url.starts_with("/\\") || url.starts_with("\\");
    !url.is_empty() && !has_scheme && !scheme_relative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paragraphs_headings_and_emphasis() {
        let html = render_markdown("## Why\n\nUnity is *earned*.\n\n> A quote");
        assert!(html.contains("<h2>Why</h2>"));
        assert!(html.contains("<p>Unity is <em>earned</em>.</p>"));
        assert!(html.contains("<blockquote>"));
    }

    #[test]
    fn pull_quotes_keep_their_class_and_no_other() {
        let html = render_markdown("<aside class=\"pull-quote\">\n\nThe *tide* waits.\n\n</aside>\n\nAfter.");
        assert!(html.contains("<aside class=\"pull-quote\">\n<p>The <em>tide</em> waits.</p>\n</aside>"), "{html}");
        let other = render_markdown("<aside class=\"pull-quote banner\" style=\"color:red\">\n\nText\n\n</aside>");
        assert!(
            other.contains("<aside class=\"pull-quote\">") && !other.contains("banner") && !other.contains("style")
        );
    }

    #[test]
    fn strips_script_handlers_and_javascript_links() {
        let html = render_markdown(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn images_from_other_sites_keep_only_their_description() {
        for foreign in [
            "<img src=http://www.example.com/x.gif alt=Harbour>",
            "<img src=\"https://cdn.example.net/x.jpg\" alt=Harbour>",
            "<img src=//example.com/x.gif alt=Harbour>",
            "<img src=\"/\\example.com/x.gif\" alt=Harbour>",
            "<img src=\" HTTPS://example.com/x.gif\" alt=Harbour>",
            "<img src=\"/\t/example.com/x.gif\" alt=Harbour>",
            "![Harbour](https://example.com/x.gif)",
        ] {
            let html = render_markdown(foreign);
            assert!(!html.contains("example"), "{foreign} gave {html}");
            assert!(html.contains("alt=\"Harbour\""), "{foreign} gave {html}");
        }
        for own in ["![Harbour](/media/2026/12/harbour.jpg)", "<img src=\"photo.jpg\" alt=Harbour>"] {
            assert!(render_markdown(own).contains("src=\""), "{own}");
        }
    }

    #[test]
    fn an_image_alone_with_a_title_is_a_figure_with_its_caption() {
        let html = render_markdown(
            "Before.\n\n![Gulls on the quay](/media/uploads/g.jpg \"Gulls <wait> for the boats\")\n\nAfter.",
        );
        assert!(html.contains("<figure><img src=\"/media/uploads/g.jpg\" alt=\"Gulls on the quay\""), "{html}");
        assert!(html.contains("<figcaption>Gulls &lt;wait&gt; for the boats</figcaption></figure>"), "{html}");
        // Without a title, or with words beside it, an image stays in its paragraph.
        assert!(!render_markdown("![Gulls](/media/g.jpg)").contains("<figure>"));
        assert!(!render_markdown("See ![Gulls](/media/g.jpg \"Gulls\") here.").contains("<figure>"));
    }

    #[test]
    fn footnotes_are_numbered_and_linked_and_no_other_ids_pass() {
        let html = render_markdown(
            "Low tide[^low] and high[^high], low again[^low].\n\n[^high]: At noon.\n\n[^low]: At six.\n\n<p id=\"main\">x</p>",
        );
        assert!(html.contains("<sup class=\"footnote-ref\"><a href=\"#note-1\" id=\"noteref-1\""), "{html}");
        assert!(html.contains("<a href=\"#note-2\" id=\"noteref-2\""), "{html}");
        assert_eq!(html.matches("id=\"noteref-1\"").count(), 1, "one id per note: {html}");
        assert!(
            html.contains("<div class=\"footnote\" id=\"note-1\"><span class=\"footnote-label\">1.</span>"),
            "{html}"
        );
        assert!(html.contains("id=\"note-2\""), "{html}");
        assert!(!html.contains("main"), "ids other than notes' are dropped: {html}");
    }

    #[test]
    fn plain_text_keeps_words_and_drops_markup() {
        let text = plain_text("## Why\n\nUnity is *earned*.\nNot `given`.\n\n<script>x()</script>\n\n- one\n- two");
        assert_eq!(text, "Why Unity is earned. Not given. one two");
    }

    #[test]
    fn smart_punctuation_makes_curly_quotes() {
        assert!(render_markdown("\"Yes,\" she said.").contains('\u{201c}'));
    }
}
