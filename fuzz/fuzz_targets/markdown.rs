//! Markdown to sanitised HTML: whatever an editor types, rendering never panics and never lets script out.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Text that looks like markup comes out escaped (`&lt;script`), so these can only be elements or attributes
/// that the sanitiser let through.
const FORBIDDEN: [&str; 7] =
    ["<script", "<iframe", "<object", "<embed", "<style", "href=\"javascript:", "src=\"javascript:"];

fn assert_clean(html: &str, source: &str) {
    let lower = html.to_ascii_lowercase();
    for forbidden in FORBIDDEN {
        assert!(!lower.contains(forbidden), "{forbidden} in {html:?} from {source:?}");
    }
}

fuzz_target!(|markdown: &str| {
    let html = newsroom::content::render_markdown(markdown);
    assert_clean(&html, markdown);
    // Imported HTML goes through the same sanitiser: the input as raw HTML must come out clean too.
    assert_clean(&newsroom::content::sanitize_html(markdown), markdown);
});
