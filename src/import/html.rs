//! Bodies that arrive as HTML: sanitised by the editor's own sanitiser, with Markdown made from the clean HTML
//! so that editors can go on editing the article in the back office.

use crate::content::{ArticleInput, ContentError, PreparedArticle, sanitize_source_html};

/// Checks an imported article whose body is `html`: the page shows the sanitised HTML as the source showed
/// it, and the editor gets Markdown converted from that same clean HTML. Images on other sites are not shown
/// (pages show only the site's own images) but keep their addresses in the Markdown; `notes` says so.
pub fn prepare_imported(
    mut input: ArticleInput,
    html: &str,
    notes: &mut Vec<String>,
) -> Result<PreparedArticle, ContentError> {
    // Sanitising once more than needed makes the stored HTML a fixed point of the sanitiser (one pass can
    // leave markup, such as table rows whose `tfoot` was dropped, that the next pass rearranges), so that an
    // export read back into a site gives the same HTML.
    let once = sanitize_source_html(html);
    input.body_markdown = String::new();
    let mut prepared = input.prepare_with_html(&once)?;
    // The two differ only by the image addresses the page leaves out (and, rarely, the order of table parts).
    if prepared.body_html.matches(" src=").count() < once.matches(" src=").count() {
        notes.push("images in post bodies that are on another site are shown by their description only".to_owned());
    }
    prepared.input.body_markdown = to_markdown(&once);
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
            &mut Vec::new(),
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
    fn images_on_other_sites_leave_the_page_and_stay_in_the_markdown() -> Result<(), Box<dyn std::error::Error>> {
        let mut notes = Vec::new();
        let prepared = prepare_imported(
            input()?,
            "<p>Quay</p><p><img src=\"https://old.example/quay.jpg\" alt=\"The quay\"></p>\
             <p><img src=\"/media/own.jpg\" alt=\"Ours\"></p>",
            &mut notes,
        )?;
        assert!(!prepared.body_html.contains("old.example"), "{}", prepared.body_html);
        assert!(prepared.body_html.contains("alt=\"The quay\""), "{}", prepared.body_html);
        assert!(prepared.body_html.contains("src=\"/media/own.jpg\""), "{}", prepared.body_html);
        assert!(
            prepared.input.body_markdown.contains("https://old.example/quay.jpg"),
            "{}",
            prepared.input.body_markdown
        );
        assert_eq!(notes.len(), 1, "{notes:?}");

        let mut notes = Vec::new();
        prepare_imported(input()?, "<p><img src=\"/media/own.jpg\" alt=\"Ours\"></p>", &mut notes)?;
        assert!(notes.is_empty(), "{notes:?}");
        Ok(())
    }

    #[test]
    fn an_empty_body_is_allowed_for_imports() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(prepare_imported(input()?, "", &mut Vec::new())?.body_html, "");
        Ok(())
    }
}
