//! Routing and query strings: any address a client sends, with any query, gets an answer that is not a
//! server error, from the whole application (public site, back office and API) on the demo site.
#![no_main]

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Site {
    _dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    router: newsroom::front::FrontDoor,
}

static SITE: LazyLock<Site> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("a runtime: {e}"));
    let mut config = newsroom::Config::for_data_dir(dir.path());
    config.demo = true;
    let app = runtime.block_on(newsroom::App::build(config)).unwrap_or_else(|e| panic!("the demo site: {e}"));
    let router = newsroom::app::front_door(app.site_state().clone());
    Site { _dir: dir, runtime, router }
});

fuzz_target!(|input: &[u8]| {
    // The first byte picks the method; the rest is the request target as sent on the wire.
    let Some((&pick, target)) = input.split_first() else { return };
    let method = [Method::GET, Method::HEAD, Method::POST, Method::OPTIONS][usize::from(pick % 4)].clone();
    let target = String::from_utf8_lossy(target);
    let target = if target.starts_with('/') { target.into_owned() } else { format!("/{target}") };
    let Ok(mut request) = Request::builder().method(method).uri(target.as_str()).body(Body::empty()) else {
        return; // hyper would refuse it before routing
    };
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([203, 0, 113, 5], 40000))));
    let response = SITE.runtime.block_on(SITE.router.clone().oneshot(request)).unwrap_or_else(|e| match e {});
    assert!(!response.status().is_server_error(), "{target:?} answered {}", response.status());
});
