//! Markdown to safe HTML, done once when content is saved.

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

/// Renders Markdown to HTML and sanitises the result, so that neither raw HTML in the source nor a crafted
/// link can carry script to readers.
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    sanitizer(true).clean(&unsafe_html).to_string()
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
    builder.attribute_filter(|element, attribute, value| match (element, attribute) {
        ("img", "src") if !is_own_address(value) => None,
        _ => Some(value.into()),
    });
    builder
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
    fn plain_text_keeps_words_and_drops_markup() {
        let text = plain_text("## Why\n\nUnity is *earned*.\nNot `given`.\n\n<script>x()</script>\n\n- one\n- two");
        assert_eq!(text, "Why Unity is earned. Not given. one two");
    }

    #[test]
    fn smart_punctuation_makes_curly_quotes() {
        assert!(render_markdown("\"Yes,\" she said.").contains('\u{201c}'));
    }
}
