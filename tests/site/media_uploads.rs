//! Uploads as readers and editors meet them (issue 23): upload files left by a killed import are removed at the
//! next start.

use crate::helpers::{TestResult, TestSite};

#[tokio::test]
async fn uploads_left_by_a_killed_import_are_removed_at_the_next_start() -> TestResult {
    let site = TestSite::start().await?;
    let data = site.stop().await?.ok_or("a data directory")?;
    let uploads = data.path().join("uploads");
    std::fs::create_dir_all(&uploads)?;
    // What a kill -9 in the middle of an import leaves, next to a file the app did not name.
    let stale = uploads.join("import-0123456789abcdef.upload");
    std::fs::write(&stale, vec![b'<'; 1024 * 1024])?;
    let other = uploads.join("notes.txt");
    std::fs::write(&other, "not ours")?;
    let media = data.path().join("media").join("uploads");
    std::fs::create_dir_all(&media)?;
    let photo = media.join("import-fedcba9876543210.upload");
    std::fs::write(&photo, "user media is never touched")?;

    let restarted = TestSite::start_in(data.path(), |_| {}).await?;
    assert!(!stale.exists(), "the partial upload is gone");
    assert!(other.exists() && photo.exists(), "nothing else was removed");
    restarted.stop().await?;
    Ok(())
}
