//! Bodies that arrive as HTML: sanitised by the editor's own sanitiser, with Markdown made from the clean HTML
//! so that editors can go on editing the article in the back office.

use crate::content::{ArticleInput, ContentError, PreparedArticle};

/// Checks an imported article whose body is `html`: the page shows the sanitised HTML as the source showed
/// it, and the editor gets Markdown converted from that same clean HTML.
pub fn prepare_imported(mut input: ArticleInput, html: &str) -> Result<PreparedArticle, ContentError> {
    // Sanitising once more than needed makes the stored HTML a fixed point of the sanitiser (one pass can
    // leave markup, such as table rows whose `tfoot` was dropped, that the next pass rearranges), so that an
    // export read back into a site gives the same HTML.
    let once = crate::content::sanitize_html(html);
    let prepared = {
        input.body_markdown = String::new();
        input.prepare_with_html(&once)?
    };
    let markdown = to_markdown(&prepared.body_html);
    let mut prepared = prepared;
    prepared.input.body_markdown = markdown;
    Ok(prepared)
}

/// Markdown for clean HTML. The converter does not fail on HTML it can parse, and sanitised HTML always
/// parses; should it fail anyway, the HTML itself is valid Markdown (raw HTML passes through).
fn to_markdown(html: &str) -> String {
    htmd::convert(html).unwrap_or_else(|_| html.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ArticleStatus, Slug};

    fn input() -> Result<ArticleInput, crate::content::SlugError> {
        Ok(ArticleInput {
            section: Slug::parse("news")?,
            slug: Slug::parse("imported")?,
            headline: "Imported".into(),
            standfirst: String::new(),
            body_markdown: String::new(),
            authors: vec![Slug::parse("ann")?],
            tags: vec![],
            lead_image: None,
            language: "en".into(),
            status: ArticleStatus::Draft,
            published_at: None,
            updated_at: None,
            view_count: 0,
        })
    }

    #[test]
    fn html_is_sanitised_and_markdown_made_from_it() -> Result<(), Box<dyn std::error::Error>> {
        let prepared = prepare_imported(
            input()?,
            "<h2>Harbour</h2><p>The <strong>ferry</strong> ran late.</p><script>steal()</script>\
             <p><a href=\"javascript:x()\">bad</a> <img src=x onerror=y()></p>",
        )?;
        assert!(prepared.body_html.contains("<strong>ferry</strong>"), "{}", prepared.body_html);
        assert!(!prepared.body_html.contains("script"), "{}", prepared.body_html);
        assert!(!prepared.body_html.contains("onerror"), "{}", prepared.body_html);
        assert!(!prepared.body_html.contains("javascript:"), "{}", prepared.body_html);
        assert!(prepared.input.body_markdown.contains("## Harbour"), "{}", prepared.input.body_markdown);
        assert!(prepared.input.body_markdown.contains("**ferry**"), "{}", prepared.input.body_markdown);
        assert!(!prepared.input.body_markdown.contains("steal"), "{}", prepared.input.body_markdown);
        Ok(())
    }

    #[test]
    fn an_empty_body_is_allowed_for_imports() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(prepare_imported(input()?, "")?.body_html, "");
        Ok(())
    }
}
