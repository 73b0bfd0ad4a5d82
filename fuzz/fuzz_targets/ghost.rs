//! The Ghost importer: any bytes given as a Ghost JSON export either import or fail with a reason, and a
//! failed import changes nothing; never a panic or a hang.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use newsroom::import::ghost::{Options, import};

#[path = "common/import_site.rs"]
mod import_site;

static SITE: LazyLock<import_site::Site> = LazyLock::new(import_site::Site::new);

fuzz_target!(|export: &[u8]| {
    SITE.import_changes_all_or_nothing(export, "export.json", |store, file, media| {
        let options = Options { media_dir: None, site_url: Some("https://old.example".to_owned()) };
        Box::pin(async move { import(store, file, options, media, |_, _| {}).await.map(|_| ()) })
    });
});
