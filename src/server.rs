//! Accepting connections: HTTP/1.1 over hyper with limits a slow or idle client cannot get around. axum's own
//! `serve` sets no timer, so a client that sends its headers one byte a minute (slowloris) or opens
//! connections and sends nothing would hold them for ever; here every connection has a deadline for its
//! request headers, and graceful shutdown finishes the requests in flight.

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client has to send a request's headers, from the moment the server starts reading them (also
/// how long an idle kept-alive connection stays open).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// hyper's read buffer: a backstop well above the header and URL limits the router enforces
/// ([`crate::site::security::limit_request_head`]), so no request head can make a connection grow past it.
const MAX_BUFFER_BYTES: usize = 128 * 1024;
/// How long shutdown waits for requests in flight before closing their connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `service` (the app's front door, or any router) on `listener` until `shutdown` completes, then lets the requests in flight finish (for at
/// most [`DRAIN_TIMEOUT`]). Handlers can read the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve<S>(listener: TcpListener, service: S, shutdown: impl Future<Output = ()>) -> std::io::Result<()>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).max_buf_size(MAX_BUFFER_BYTES);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: pause rather than spin, and keep serving those we have.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = service.clone().map_request(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; closing their connections");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn started() -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let router = axum::Router::new().route(
            "/",
            axum::routing::get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, router, async {
            stopped.await.ok();
        }));
        Ok((addr, stop))
    }

    #[tokio::test]
    async fn answers_with_the_client_address() -> std::io::Result<()> {
        let (addr, _stop) = started().await?;
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply).await?;
        assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("127.0.0.1"), "{reply}");
        Ok(())
    }
}
