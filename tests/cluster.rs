//! Two nodes on one PostgreSQL database, as a load balancer would have them: real `newsroom serve` processes
//! on two ports, each with its own data directory (search index) and one shared media directory.
//!
//! - a change saved on one node shows on the other within a second, cached pages included;
//! - views counted on both nodes add up exactly;
//! - killing one node with SIGKILL under load leaves the other answering, and loses no acknowledged save;
//! - `newsroom copy` moves a site from SQLite to PostgreSQL and back with matching checksums.
//!
//! They need a PostgreSQL server, so `cargo test` skips them; `scripts/test-postgres` (in `.ci/run`) runs them
//! with `NEWSROOM_TEST_POSTGRES` naming the server. Each test makes a database of its own.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

type Error = Box<dyn std::error::Error + Send + Sync>;

const EMAIL: &str = "cluster@example.com";
const READER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";

/// A database, two nodes on it and an API token.
struct Cluster {
    database: String,
    nodes: Vec<Node>,
    token: String,
    client: reqwest::Client,
    _media: TempDir,
}

struct Node {
    base: String,
    child: Child,
    _data: TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn newsroom(database: &str, data: &Path, media: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    command
        .arg("--database")
        .arg(database)
        .arg("--data")
        .arg(data)
        .arg("--media")
        .arg(media)
        .env("NEWSROOM_LOG", "warn");
    command
}

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A fresh database on the server `NEWSROOM_TEST_POSTGRES` names.
async fn create_database() -> Result<String, Error> {
    let server = std::env::var("NEWSROOM_TEST_POSTGRES")
        .map_err(|_| "set NEWSROOM_TEST_POSTGRES to a PostgreSQL URL (scripts/test-postgres does)")?;
    let name = format!("newsroom_test_{:016x}", rand::random::<u64>());
    let mut admin = PgConnection::connect(&server).await?;
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    admin.close().await?;
    let mut url = url::Url::parse(&server)?;
    url.set_path(&name);
    Ok(url.to_string())
}

impl Cluster {
    /// Loads the demo into a new database, makes an editor with a token, and starts two nodes.
    async fn start() -> Result<Cluster, Error> {
        let mut cluster = Cluster::prepare().await?;
        for _ in 0..2 {
            cluster.nodes.push(start_node(&cluster.database, cluster._media.path(), &cluster.client).await?);
        }
        Ok(cluster)
    }

    /// Loads the demo into a new database and makes an editor with a token; starts no node.
    async fn prepare() -> Result<Cluster, Error> {
        let database = create_database().await?;
        let media = tempfile::tempdir()?;
        let setup = tempfile::tempdir()?;
        let demo = newsroom(&database, setup.path(), media.path()).arg("demo").output()?;
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
        let mut add = newsroom(&database, setup.path(), media.path())
            .args(["user", "add", "--email", EMAIL, "--name", "Cluster Editor", "--role", "editor"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        if let Some(stdin) = add.stdin.as_mut() {
            use std::io::Write;
            stdin.write_all(b"a long cluster-test password\n")?;
        }
        assert!(add.wait()?.success(), "user add failed");
        let token =
            newsroom(&database, setup.path(), media.path()).args(["token", "create", "--email", EMAIL]).output()?;
        assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
        let token = String::from_utf8(token.stdout)?.trim().to_owned();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(Cluster { database, nodes: Vec::new(), token, client, _media: media })
    }

    fn base(&self, node: usize) -> &str {
        &self.nodes[node].base
    }

    /// Creates a published article through node `node`'s API; returns its id and public path.
    async fn publish(&self, node: usize, headline: &str) -> Result<(i64, String), Error> {
        let article = json!({ "headline": headline, "section": "world", "status": "published",
                              "body": format!("{headline}.\n\nWritten on node {node}."),
                              "authors": ["mara-lindqvist"] });
        let response = self
            .client
            .post(format!("{}/api/admin/articles", self.base(node)))
            .bearer_auth(&self.token)
            .json(&article)
            .send()
            .await?;
        assert_eq!(response.status(), 201, "created");
        let created: Value = response.json().await?;
        let id = created["article"]["id"].as_i64().ok_or("an id")?;
        let slug = created["article"]["slug"].as_str().ok_or("a slug")?;
        Ok((id, format!("/world/{slug}")))
    }

    async fn get(&self, node: usize, path: &str) -> Result<(u16, String), Error> {
        let response = self.client.get(format!("{}{path}", self.base(node))).send().await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    async fn database(&self) -> Result<PgConnection, Error> {
        Ok(PgConnection::connect(&self.database).await?)
    }
}

/// Starts a node on its own data directory and waits until it answers.
async fn start_node(database: &str, media: &Path, client: &reqwest::Client) -> Result<Node, Error> {
    let data = tempfile::tempdir()?;
    let port = free_port()?;
    let child = newsroom(database, data.path(), media)
        .args(["serve", "--no-demo", "--addr", &format!("127.0.0.1:{port}"), "--trusted-proxies", "127.0.0.1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let node = Node { base: format!("http://127.0.0.1:{port}"), child, _data: data };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("{}/readyz", node.base)).send().await.is_ok_and(|r| r.status() == 200) {
            return Ok(node);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err("a node did not become ready within 60 s".into())
}

/// Polls `check` until it holds or `limit` has passed since `from`; returns how long it took. `what` names
/// the expectation in the error.
async fn within<F, Fut>(what: &str, limit: Duration, from: Instant, mut check: F) -> Result<Duration, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    loop {
        if check().await? {
            return Ok(from.elapsed());
        }
        if from.elapsed() > limit {
            return Err(format!("{what}: not seen within {limit:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres"]
async fn a_change_on_one_node_shows_on_the_other_within_a_second() -> Result<(), Error> {
    let cluster = Cluster::start().await?;
    // The second node has the home page and the article cached before the changes.
    let (id, path) = cluster.publish(0, "Harbour cranes return to service").await?;
    within("the new article on the other node", Duration::from_secs(1), Instant::now(), || async {
        Ok(cluster.get(1, &path).await?.0 == 200)
    })
    .await?;
    let (_, home) = cluster.get(1, "/").await?;
    assert!(home.contains("Harbour cranes return to service"));
    assert_eq!(cluster.get(1, "/").await?.1, home, "served again from the cache");

    // A new article published on the first node appears on the second's cached home page.
    let saved = Instant::now();
    let (_, second) = cluster.publish(0, "Night ferry adds a Sunday crossing").await?;
    let took = within("the new article on the other node's home page", Duration::from_secs(1), saved, || async {
        Ok(cluster.get(1, "/").await?.1.contains("Night ferry adds a Sunday crossing"))
    })
    .await?;
    println!("a new article showed on the other node's home page {took:?} after the save");
    assert_eq!(cluster.get(1, &second).await?.0, 200);

    // An edit on the second node shows on the first; so does unpublishing.
    let slug = path.trim_start_matches("/world/");
    let update = json!({ "headline": "Harbour cranes back at work", "slug": slug, "section": "world", "status": "published",
                         "body": "Edited on the second node.", "authors": ["mara-lindqvist"] });
    let response = cluster
        .client
        .put(format!("{}/api/admin/articles/{id}", cluster.base(1)))
        .bearer_auth(&cluster.token)
        .json(&update)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let saved = Instant::now();
    within("the edit on the first node", Duration::from_secs(1), saved, || async {
        Ok(cluster.get(0, &path).await?.1.contains("Harbour cranes back at work"))
    })
    .await?;
    let response = cluster
        .client
        .post(format!("{}/api/admin/articles/{id}/unpublish", cluster.base(1)))
        .bearer_auth(&cluster.token)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let saved = Instant::now();
    within("the unpublished article gone from the first node", Duration::from_secs(1), saved, || async {
        Ok(cluster.get(0, &path).await?.0 == 404)
    })
    .await?;

    // Search on the first node finds what the second node wrote.
    within("the second node's article in the first node's search", Duration::from_secs(2), Instant::now(), || async {
        let (_, body) = cluster.get(0, "/api/v1/search?q=ferry+sunday+crossing").await?;
        let results: Value = serde_json::from_str(&body)?;
        Ok(results["total"].as_u64().is_some_and(|n| n >= 1))
    })
    .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres"]
async fn views_counted_on_both_nodes_add_up_exactly() -> Result<(), Error> {
    let cluster = Cluster::start().await?;
    let (id, path) = cluster.publish(0, "Lighthouse keeper retires after forty years").await?;
    let mut database = cluster.database().await?;
    let views = async |database: &mut PgConnection| -> Result<i64, Error> {
        Ok(sqlx::query_scalar("SELECT view_count FROM articles WHERE id = $1").bind(id).fetch_one(database).await?)
    };
    let before = views(&mut database).await?;
    let mut readers = Vec::new();
    for reader in 0..100_u32 {
        // Every reader twice on the same node (the second read is a repeat and does not count).
        let url = format!("{}{path}", cluster.base(reader as usize % 2));
        let client = cluster.client.clone();
        readers.push(tokio::spawn(async move {
            for _ in 0..2 {
                let response = client
                    .get(&url)
                    .header("x-forwarded-for", format!("10.9.{}.{}", reader / 256, reader % 256))
                    .header("user-agent", format!("{READER_AGENT} reader/{reader}"))
                    .send()
                    .await?;
                assert_eq!(response.status(), 200);
            }
            Ok::<_, Error>(())
        }));
    }
    for reader in readers {
        reader.await??;
    }
    // Each node writes its views within a second; give both time, then check nothing more arrives.
    let counted = Instant::now();
    loop {
        let added = views(&mut database).await? - before;
        if added >= 100 || counted.elapsed() > Duration::from_secs(5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(views(&mut database).await? - before, 100, "100 readers over two nodes add exactly 100");
    let daily: i64 =
        sqlx::query_scalar("SELECT CAST(SUM(views) AS BIGINT) FROM article_views_daily WHERE article_id = $1")
            .bind(id)
            .fetch_one(&mut database)
            .await?;
    assert_eq!(daily, 100, "the daily table agrees");
    Ok(())
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres"]
async fn killing_one_node_under_load_leaves_the_other_answering_and_loses_nothing() -> Result<(), Error> {
    let mut cluster = Cluster::start().await?;
    let (_, path) = cluster.publish(0, "Storm closes the coast road").await?;
    let stop = Arc::new(AtomicBool::new(false));
    let failures_on_survivor = Arc::new(AtomicU32::new(0));
    let served_by_survivor = Arc::new(AtomicU32::new(0));

    // Readers on both nodes; the first node's answers must never fail.
    let mut load = Vec::new();
    for worker in 0..4_u32 {
        let node = worker as usize % 2;
        let url = format!("{}{path}", cluster.base(node));
        let client = cluster.client.clone();
        let (stop, failures, served) =
            (Arc::clone(&stop), Arc::clone(&failures_on_survivor), Arc::clone(&served_by_survivor));
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let ok = client.get(&url).send().await.is_ok_and(|r| r.status() == 200);
                if node == 0 {
                    if ok {
                        served.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // Saves through both nodes, remembering every one acknowledged.
    let mut acknowledged = Vec::new();
    let started = Instant::now();
    let mut killed = false;
    for n in 0.. {
        if !killed && started.elapsed() > Duration::from_secs(2) {
            cluster.nodes[1].child.kill()?;
            cluster.nodes[1].child.wait()?;
            killed = true;
        }
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
        let node = if killed { 0 } else { n % 2 };
        let headline = format!("Coast road update number {n}");
        if let Ok((id, _)) = cluster.publish(node, &headline).await {
            acknowledged.push((id, headline));
        }
    }
    stop.store(true, Ordering::Relaxed);
    for worker in load {
        worker.await?;
    }
    assert_eq!(failures_on_survivor.load(Ordering::Relaxed), 0, "the surviving node answered every request");
    assert!(served_by_survivor.load(Ordering::Relaxed) > 100, "the survivor was under load");
    assert!(acknowledged.len() > 10, "saves went through before and after the kill");

    let mut database = cluster.database().await?;
    for (id, headline) in &acknowledged {
        let stored: Option<String> = sqlx::query_scalar("SELECT headline FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut database)
            .await?;
        assert_eq!(stored.as_deref(), Some(headline.as_str()), "acknowledged save {id} is stored");
    }
    // A node started again joins and serves everything, including what was saved while it was down.
    let media = cluster._media.path().to_owned();
    cluster.nodes[1] = start_node(&cluster.database, &media, &cluster.client).await?;
    let (last, headline) = acknowledged.last().ok_or("a save")?;
    let response = cluster
        .client
        .get(format!("{}/api/admin/articles/{last}", cluster.base(1)))
        .bearer_auth(&cluster.token)
        .send()
        .await?;
    let article: Value = response.json().await?;
    assert_eq!(article["article"]["headline"], headline.as_str());
    Ok(())
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres"]
async fn copy_moves_a_site_from_sqlite_to_postgresql_and_back() -> Result<(), Error> {
    let data = tempfile::tempdir()?;
    let demo = Command::new(env!("CARGO_BIN_EXE_newsroom")).arg("demo").arg("--data").arg(data.path()).output()?;
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let postgres = create_database().await?;
    let back = data.path().join("back.db");
    let moves = [
        (data.path().display().to_string(), postgres.clone()),
        (postgres.clone(), format!("sqlite:{}", back.display())),
    ];
    for (from, to) in moves {
        let copy = Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .args(["copy", "--from", &from, "--to", &to])
            .env("NEWSROOM_LOG", "warn")
            .output()?;
        let report = String::from_utf8(copy.stdout)?;
        assert!(copy.status.success(), "{report}{}", String::from_utf8_lossy(&copy.stderr));
        assert!(report.contains("every count and checksum matches"), "{report}");
        assert!(report.lines().any(|line| line.starts_with("articles") && line.contains(" 49 ")), "{report}");
    }
    // A node serves the copied site from PostgreSQL, and new articles get new ids after the copied ones.
    let media = tempfile::tempdir()?;
    let client = reqwest::Client::new();
    let node = start_node(&postgres, media.path(), &client).await?;
    let home = client.get(format!("{}/", node.base)).send().await?.text().await?;
    assert!(home.contains("Columns and Opinions"));
    let mut database = PgConnection::connect(&postgres).await?;
    let next: i64 = sqlx::query_scalar("INSERT INTO tags (slug, name) VALUES ('new-tag', 'New') RETURNING id")
        .fetch_one(&mut database)
        .await?;
    let highest: i64 =
        sqlx::query_scalar("SELECT MAX(id) FROM tags WHERE slug <> 'new-tag'").fetch_one(&mut database).await?;
    assert!(next > highest, "identities continue after the copied ids");
    Ok(())
}

/// A TCP proxy in front of PostgreSQL that can be cut (every connection closed, new ones refused) and
/// restored on the same port, as a network failure or a database restart would do.
struct Proxy {
    port: u16,
    upstream: std::net::SocketAddr,
    cut: tokio::sync::watch::Sender<bool>,
    serving: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr) -> Result<Proxy, Error> {
        let listener = Proxy::listen(0)?;
        let port = listener.local_addr()?.port();
        let (cut, _) = tokio::sync::watch::channel(false);
        let mut proxy = Proxy { port, upstream, cut, serving: None };
        proxy.serving = Some(proxy.serve(listener));
        Ok(proxy)
    }

    /// A listener on `port` of 127.0.0.1 that may take the port again at once after a cut.
    fn listen(port: u16) -> Result<tokio::net::TcpListener, Error> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))?;
        Ok(socket.listen(64)?)
    }

    fn serve(&self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let (upstream, mut cut, connections) = (self.upstream, self.cut.subscribe(), self.cut.subscribe());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut client, _)) = accepted else { continue };
                        let mut cut = connections.clone();
                        tokio::spawn(async move {
                            let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else { return };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {},
                                _ = cut.wait_for(|cut| *cut) => {},
                            }
                        });
                    }
                    // The listener is dropped with this task: new connections are refused.
                    _ = cut.wait_for(|cut| *cut) => return,
                }
            }
        })
    }

    /// Closes every connection through the proxy and refuses new ones.
    async fn cut(&mut self) -> Result<(), Error> {
        self.cut.send_replace(true);
        if let Some(serving) = self.serving.take() {
            serving.await?;
        }
        Ok(())
    }

    /// Accepts connections again, on the same port.
    fn restore(&mut self) -> Result<(), Error> {
        self.cut.send_replace(false);
        let listener = Proxy::listen(self.port)?;
        self.serving = Some(self.serve(listener));
        Ok(())
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres"]
async fn a_node_cut_off_from_postgresql_answers_503_quickly_and_recovers_by_itself() -> Result<(), Error> {
    let mut cluster = Cluster::prepare().await?;
    let url = url::Url::parse(&cluster.database)?;
    let upstream = url.socket_addrs(|| Some(5432))?.into_iter().next().ok_or("PostgreSQL's address")?;
    let mut proxy = Proxy::start(upstream).await?;
    let mut through_proxy = url.clone();
    through_proxy.set_host(Some("127.0.0.1"))?;
    through_proxy.set_port(Some(proxy.port)).map_err(|()| "a port")?;
    cluster.nodes.push(start_node(through_proxy.as_str(), cluster._media.path(), &cluster.client).await?);
    let (_, uncached) = cluster.publish(0, "Pier lights replaced").await?;
    // Rendered twice, the home page is cached for a few seconds (a page rendered once is kept for one).
    assert_eq!(cluster.get(0, "/").await?.0, 200);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (status, home) = cluster.get(0, "/").await?;
    let rendered = Instant::now();
    assert_eq!(status, 200);

    proxy.cut().await?;
    assert_eq!(cluster.get(0, "/").await?, (200, home.clone()), "a cached page is still served");
    let asked = Instant::now();
    let response = cluster.client.get(format!("{}{uncached}", cluster.base(0))).send().await?;
    let took = asked.elapsed();
    println!("an uncached page answered {} {took:?} after the database was cut off", response.status());
    assert_eq!(response.status(), 503, "an uncached page: try again later");
    assert!(response.headers().contains_key("retry-after"));
    assert!(took < Duration::from_secs(15), "answered, not hung: {took:?}");
    let saved = cluster
        .client
        .post(format!("{}/api/admin/articles", cluster.base(0)))
        .bearer_auth(&cluster.token)
        .json(&json!({ "headline": "Lost in the outage", "section": "world", "body": "x", "authors": ["mara-lindqvist"] }))
        .send()
        .await?;
    assert_eq!(saved.status(), 503, "a save is refused with a reason to try again, not hung");
    assert!(saved.headers().contains_key("retry-after"));
    let error: Value = saved.json().await?;
    assert_eq!(error["error"]["code"], "unavailable", "{error}");
    let readiness = cluster.client.get(format!("{}/readyz", cluster.base(0))).send().await?;
    assert_eq!(readiness.status(), 503);
    assert!(readiness.text().await?.contains("database"), "readiness names the database");
    assert_eq!(cluster.client.get(format!("{}/healthz", cluster.base(0))).send().await?.status(), 200);
    // Long after it left the page cache, the home page is still answered with the last good copy.
    tokio::time::sleep((newsroom::cache::PAGE_TTL + Duration::from_secs(1)).saturating_sub(rendered.elapsed())).await;
    assert_eq!(cluster.get(0, "/").await?, (200, home), "the last good copy while the database is away");

    // The database comes back: the node serves and saves again without a restart.
    proxy.restore()?;
    within("the uncached page served again", Duration::from_secs(15), Instant::now(), || async {
        Ok(cluster.get(0, &uncached).await?.0 == 200)
    })
    .await?;
    let (_, after) = cluster.publish(0, "Harbour reopens after the outage").await?;
    assert_eq!(cluster.get(0, &after).await?.0, 200);
    within("ready again", Duration::from_secs(15), Instant::now(), || async {
        Ok(cluster.client.get(format!("{}/readyz", cluster.base(0))).send().await?.status() == 200)
    })
    .await?;
    Ok(())
}
