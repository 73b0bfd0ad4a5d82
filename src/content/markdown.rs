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
    sanitizer().clean(&unsafe_html).to_string()
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

/// ammonia's defaults (no script, no event handlers, safe URL schemes) plus `rel` on links that leave the site.
/// Sanitises HTML that arrives as HTML (imports) exactly as rendered Markdown is sanitised.
pub fn sanitize_html(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener noreferrer nofollow"));
    builder
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
    fn plain_text_keeps_words_and_drops_markup() {
        let text = plain_text("## Why\n\nUnity is *earned*.\nNot `given`.\n\n<script>x()</script>\n\n- one\n- two");
        assert_eq!(text, "Why Unity is earned. Not given. one two");
    }

    #[test]
    fn smart_punctuation_makes_curly_quotes() {
        assert!(render_markdown("\"Yes,\" she said.").contains('\u{201c}'));
    }
}
