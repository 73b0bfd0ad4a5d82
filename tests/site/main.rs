//! Integration tests of the public site: the real server on an ephemeral port, a temporary SQLite data
//! directory, and HTTP. One test binary keeps link time low.

mod admin_api;
mod admin_articles;
mod admin_auth;
mod admin_desk;
mod admin_escaping;
mod admin_helpers;
mod admin_media;
mod admin_migration;
mod admin_pages;
mod admin_roles;
mod admin_settings;
mod admin_store;
mod article;
mod cli;
mod control_characters;
mod demo;
mod editions;
mod feeds;
mod full_disk;
mod helpers;
mod import;
mod kept_pages;
mod lists;
mod media_library;
mod media_uploads;
mod notes;
mod operations;
mod preview;
mod robustness;
mod search;
mod seo;
mod snapshots;
mod styleguide;
mod views;
