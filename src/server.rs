//! Accepting connections: HTTP/1.1 over hyper with limits a slow or idle client cannot get around. axum's own
//! `serve` sets no timer, so a client that sends its headers one byte a minute (slowloris) or opens
//! connections and sends nothing would hold them for ever; here a watchdog closes every connection that goes
//! [`HEADER_TIMEOUT`] without a request while it has none in hand, and graceful shutdown finishes the requests
//! in flight.
//!
//! The watchdog is ours rather than hyper's `header_read_timeout` because of cost: hyper allocates and
//! registers a new timer for every request it reads, a few percent of a cached page's whole cost, where the
//! watchdog ticks once a second per connection and a request only bumps two counters.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a connection may go without a request while it has none in hand: the time a client has to send
/// a request's headers, and how long an idle kept-alive connection stays open. The watchdog closes such a
/// connection within a tenth of this after it passes.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times the watchdog looks at a connection in a [`HEADER_TIMEOUT`].
const WATCHES_PER_TIMEOUT: u32 = 10;
/// hyper's read buffer: a backstop well above the header and URL limits the router enforces
/// ([`crate::web::security::limit_request_head`]), so no request head can make a connection grow past it.
const MAX_BUFFER_BYTES: usize = 128 * 1024;
/// How long shutdown waits for requests in flight before closing their connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `service` (the app's router, or any service) on `listener` until `shutdown` completes, then lets the requests in flight finish (for at
/// most [`DRAIN_TIMEOUT`]). Handlers can read the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve<S>(listener: TcpListener, service: S, shutdown: impl Future<Output = ()>) -> std::io::Result<()>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    serve_watched(listener, service, shutdown, HEADER_TIMEOUT).await
}

/// [`serve`], closing connections that go `header_timeout` without a request.
async fn serve_watched<S>(
    listener: TcpListener,
    service: S,
    shutdown: impl Future<Output = ()>,
    header_timeout: Duration,
) -> std::io::Result<()>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    // No timer: the watchdog below does what hyper's header timeout would.
    http.header_read_timeout(None).max_buf_size(MAX_BUFFER_BYTES);
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
        let progress = Arc::new(Progress::default());
        let watched = Arc::clone(&progress);
        let service = service
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                progress.begun.fetch_add(1, Ordering::Relaxed);
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(Body::new)
            })
            .map_response({
                let progress = Arc::clone(&watched);
                move |response: axum::response::Response| {
                    response.map(|inner| CountedBody { inner, progress: Arc::clone(&progress) })
                }
            });
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        let serving = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
        // A task of its own rather than a branch beside the connection: a branch would be polled on every
        // wake-up of the connection, the watchdog only wakes once a tick.
        tokio::spawn(async move {
            if stalled(&watched, &serving, header_timeout).await {
                serving.abort();
                tracing::debug!(%peer, "closed a connection that sent no request in time");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; closing their connections");
    }
    Ok(())
}

/// One connection's requests as the watchdog sees them: how many have begun (their head was read) and how
/// many are done (their response was sent, or dropped). Equal counts mean the connection is between
/// requests, idle or reading a head.
#[derive(Default)]
struct Progress {
    begun: AtomicU64,
    done: AtomicU64,
}

/// Watches a connection being served by `serving`: true once it has spent `timeout` between requests with no
/// new one begun, false when it ended by itself first. A request in hand (an upload, a slow handler, a long
/// download) holds the watchdog off for as long as it runs.
async fn stalled(progress: &Progress, serving: &tokio::task::JoinHandle<()>, timeout: Duration) -> bool {
    // The idle time is counted in whole ticks from the first tick that finds the connection idle, which may
    // come just after it went idle: one tick more than the timeout holds makes sure the full timeout passes.
    let tick = timeout / WATCHES_PER_TIMEOUT;
    let needed = WATCHES_PER_TIMEOUT + 1;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = progress.begun.load(Ordering::Relaxed);
    let mut idle = 0;
    loop {
        ticks.tick().await;
        if serving.is_finished() {
            return false;
        }
        let begun = progress.begun.load(Ordering::Relaxed);
        if begun != seen || begun != progress.done.load(Ordering::Relaxed) {
            seen = begun;
            idle = 0;
            continue;
        }
        idle += 1;
        if idle >= needed {
            return true;
        }
    }
}

/// A response body that counts its request done when hyper has finished with it.
struct CountedBody {
    inner: Body,
    progress: Arc<Progress>,
}

impl Drop for CountedBody {
    fn drop(&mut self) {
        self.progress.done.fetch_add(1, Ordering::Relaxed);
    }
}

impl HttpBody for CountedBody {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The header timeout the tests serve with, short so they run quickly.
    const TIMEOUT: Duration = Duration::from_millis(500);

    /// A server with `/` (the client's address), `/slow` (answers after three timeouts) and `/drip` (a body
    /// whose second half comes three timeouts after the first).
    async fn started() -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let drip = || async {
            Body::from_stream(futures_util::stream::unfold(0, |step| async move {
                match step {
                    0 => Some((Ok::<_, std::convert::Infallible>("first half, "), 1)),
                    1 => {
                        tokio::time::sleep(TIMEOUT * 3).await;
                        Some((Ok("second half"), 2))
                    }
                    _ => None,
                }
            }))
        };
        let router = axum::Router::new()
            .route(
                "/",
                axum::routing::get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
            )
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(TIMEOUT * 3).await;
                    "worth the wait"
                }),
            )
            .route("/drip", axum::routing::get(drip));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            stopped.await.ok();
        };
        tokio::spawn(serve_watched(listener, router, shutdown, TIMEOUT));
        Ok((addr, stop))
    }

    /// Sends `request` and reads until the server closes the connection, with how long that took.
    async fn exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<(String, Duration)> {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let sent = Instant::now();
        stream.write_all(request).await?;
        let mut reply = Vec::new();
        tokio::time::timeout(TIMEOUT * 10, stream.read_to_end(&mut reply)).await??;
        Ok((String::from_utf8_lossy(&reply).into_owned(), sent.elapsed()))
    }

    /// GETs `path` on a connection of its own, and the reply.
    async fn get_once(addr: SocketAddr, path: &str) -> std::io::Result<String> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Ok(exchange(addr, request.as_bytes()).await?.0)
    }

    #[tokio::test]
    async fn answers_with_the_client_address() -> std::io::Result<()> {
        let (addr, _stop) = started().await?;
        let reply = get_once(addr, "/").await?;
        assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("127.0.0.1"), "{reply}");
        Ok(())
    }

    #[tokio::test]
    async fn requests_longer_than_the_timeout_are_not_cut_off() -> std::io::Result<()> {
        let (addr, _stop) = started().await?;
        let reply = get_once(addr, "/slow").await?;
        assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("worth the wait"), "a slow handler: {reply}");
        let reply = get_once(addr, "/drip").await?;
        assert!(reply.contains("first half, ") && reply.contains("second half"), "a slow download: {reply}");
        Ok(())
    }

    #[tokio::test]
    async fn idle_and_unfinished_connections_are_closed_after_the_timeout() -> std::io::Result<()> {
        let (addr, _stop) = started().await?;
        // Answered, then kept alive with nothing more asked.
        let (reply, waited) = exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await?;
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        assert!(waited >= TIMEOUT && waited < TIMEOUT * 3, "an idle connection closed after {waited:?}");
        // Headers begun and never finished.
        let (reply, waited) = exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await?;
        assert!(reply.is_empty(), "no answer to an unfinished request: {reply}");
        assert!(waited >= TIMEOUT && waited < TIMEOUT * 3, "an unfinished request closed after {waited:?}");
        Ok(())
    }
}
