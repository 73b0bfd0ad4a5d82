//! The benchmark's baseline: a bare hyper server that answers every request with the same bytes, read once
//! from a file. Nothing can serve those bytes much faster on the same machine, so newsroom's cached pages
//! are measured against it.
//!
//! Usage: `cargo run --release --example baseline -- ADDR BODY_FILE`

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args.next().ok_or("usage: baseline ADDR BODY_FILE")?.parse()?;
    let body = Bytes::from(std::fs::read(args.next().ok_or("usage: baseline ADDR BODY_FILE")?)?);
    let listener = TcpListener::bind(addr).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |_request: Request<Incoming>| {
                let body = body.clone();
                async move {
                    let mut response = Response::new(Full::new(body));
                    response
                        .headers_mut()
                        .insert("content-type", hyper::header::HeaderValue::from_static("text/html; charset=utf-8"));
                    Ok::<_, Infallible>(response)
                }
            });
            if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                eprintln!("connection: {error}");
            }
        });
    }
}
