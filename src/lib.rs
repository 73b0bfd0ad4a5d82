//! newsroom: a publishing platform for news and opinion sites.
//!
//! One binary serves the public site, the back office and a JSON API from one store. The library holds everything; `main.rs` only parses the command line.

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod content;
pub mod demo;
pub mod editorial;
pub mod generate;
pub mod i18n;
pub mod import;
pub mod media;
pub mod ops;
pub mod search;
pub mod server;
pub mod settings;
pub mod site;
pub mod store;
pub mod styleguide;
pub mod theme;
pub mod views;
pub mod web;

pub use app::App;
pub use config::Config;
