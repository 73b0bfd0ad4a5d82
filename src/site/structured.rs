//! Structured data (schema.org JSON-LD) that search engines and aggregators read: `NewsArticle` on
//! articles, `BreadcrumbList` on articles and listings, `WebSite` and the publisher on the home page.

use serde_json::{Value, json};

/// A schema.org graph as the text of a `<script type="application/ld+json">` element. `<`, `>` and `&`
/// are written as Unicode escapes, so no value (a headline, say) can end the script element early.
pub fn script(graph: Vec<Value>) -> String {
    json!({ "@context": "https://schema.org", "@graph": graph })
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The publisher: the site, with its logo.
pub fn publisher(name: &str, home: &str, logo: Option<&str>) -> Value {
    let mut organization =
        json!({ "@type": "NewsMediaOrganization", "@id": format!("{home}#publisher"), "name": name, "url": home });
    if let Some(logo) = logo {
        organization["logo"] = json!({ "@type": "ImageObject", "url": logo });
    }
    organization
}

/// The site itself (home page), with its search, so that search engines can offer a search box for it.
pub fn website(name: &str, home: &str, description: &str) -> Value {
    json!({
        "@type": "WebSite",
        "@id": format!("{home}#website"),
        "name": name,
        "url": home,
        "description": description,
        "publisher": { "@id": format!("{home}#publisher") },
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": format!("{}search?q={{search_term_string}}", home.trim_end_matches('/').to_owned() + "/"),
            },
            "query-input": "required name=search_term_string",
        },
    })
}

/// A trail of (name, absolute URL) from the home page down to the page itself.
pub fn breadcrumbs(trail: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = trail
        .iter()
        .zip(1..)
        .map(|((name, url), position)| json!({ "@type": "ListItem", "position": position, "name": name, "item": url }))
        .collect();
    json!({ "@type": "BreadcrumbList", "itemListElement": items })
}

/// What a `NewsArticle` says about an article; every URL absolute.
#[derive(Debug)]
pub struct NewsArticle<'a> {
    /// The article's URL.
    pub url: &'a str,
    /// Headline.
    pub headline: &'a str,
    /// Standfirst.
    pub description: &'a str,
    /// Lead image URL.
    pub image: Option<&'a str>,
    /// RFC 3339 publication time.
    pub published: &'a str,
    /// RFC 3339 last modification.
    pub modified: &'a str,
    /// Authors' names and page URLs.
    pub authors: Vec<(&'a str, String)>,
    /// Section name.
    pub section: &'a str,
    /// Tag names.
    pub keywords: Vec<&'a str>,
    /// Language.
    pub language: &'a str,
    /// The site's home URL (for the publisher reference).
    pub home: &'a str,
    /// A correction noted on the article (empty when none).
    pub correction: &'a str,
}

impl NewsArticle<'_> {
    /// The JSON-LD object.
    pub fn to_json(&self) -> Value {
        let mut article = json!({
            "@type": "NewsArticle",
            "@id": format!("{}#article", self.url),
            "mainEntityOfPage": self.url,
            "url": self.url,
            "headline": self.headline,
            "description": self.description,
            "datePublished": self.published,
            "dateModified": self.modified,
            "author": self.authors.iter().map(|(name, url)| json!({ "@type": "Person", "name": name, "url": url })).collect::<Vec<_>>(),
            "publisher": { "@id": format!("{}#publisher", self.home) },
            "articleSection": self.section,
            "keywords": self.keywords,
            "inLanguage": self.language,
            "isAccessibleForFree": true,
        });
        if let Some(image) = self.image {
            article["image"] = json!([image]);
        }
        if !self.correction.trim().is_empty() {
            article["correction"] = json!({ "@type": "CorrectionComment", "text": self.correction });
        }
        article
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_element() {
        let text = script(vec![json!({ "headline": "</script><script>alert(1)</script> & more" })]);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back["@graph"][0]["headline"], "</script><script>alert(1)</script> & more");
    }

    #[test]
    fn breadcrumbs_are_numbered_from_one() {
        let trail = breadcrumbs(&[("Home", "https://x/"), ("World", "https://x/world/")]);
        assert_eq!(trail["itemListElement"][1]["position"], 2);
        assert_eq!(trail["itemListElement"][1]["item"], "https://x/world/");
    }
}
