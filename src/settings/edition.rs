//! Language editions: the default language lives at the root (`/columns/slug`); each other language the
//! site publishes in lives under its code (`/zh/columns/slug`). What prefix a language's pages carry follows
//! from the settings alone; the public site reads it off each request (`site::edition`).

use super::SiteSettings;

/// The edition a request reads: its language and the address prefix that language's pages carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// Language code, as in the site's language list and articles' language.
    pub language: String,
    /// Empty for the default language, else `/{code}`.
    prefix: String,
    /// Whether the site publishes in one language only: its lists then hold every article, whatever
    /// language an import or an editor gave it.
    monolingual: bool,
}

impl Edition {
    /// The edition of `language` on a site with these settings. A language the site does not publish in has
    /// no edition of its own: its articles live at the root, with the default language's.
    pub fn of(site: &SiteSettings, language: &str) -> Edition {
        let own = language != site.default_language() && site.publishes_in(language);
        let prefix = if own { format!("/{language}") } else { String::new() };
        Edition { language: language.to_owned(), prefix, monolingual: site.languages.len() < 2 }
    }

    /// The language an edition's lists (home, sections, Latest, Recommend, search, feeds, sitemaps) keep:
    /// none on a single-language site, where they show everything.
    pub fn list_language(&self) -> Option<&str> {
        (!self.monolingual).then_some(self.language.as_str())
    }

    /// The edition an article in `language` is read under: its own language's, or the default language's
    /// when the site does not publish in that language.
    pub fn serving(site: &SiteSettings, language: &str) -> Edition {
        if site.publishes_in(language) { Edition::of(site, language) } else { Edition::default_of(site) }
    }

    /// The default language's edition.
    pub fn default_of(site: &SiteSettings) -> Edition {
        Edition::of(site, site.default_language())
    }

    /// A site path (starting with `/`) in this edition: `/columns/` becomes `/zh/columns/`.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

/// Where an article in `language` lives: `/{section}/{slug}` under its language's prefix.
pub fn article_path(site: &SiteSettings, language: &str, section: &str, slug: &str) -> String {
    Edition::of(site, language).path(&article_url(section, slug))
}

/// `/{section}/{slug}`.
pub fn article_url(section: &str, slug: &str) -> String {
    format!("/{section}/{slug}")
}
