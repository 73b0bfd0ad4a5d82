//! Image uploads: any bytes sent as an image are stored with their resized copies or refused with a reason;
//! decoding never panics, hangs or runs out of memory (the header's size is checked before decoding).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().unwrap_or_else(|error| panic!("a temporary directory: {error}")));

fuzz_target!(|bytes: &[u8]| {
    let media = DIR.path().join("media");
    if let Ok(upload) = newsroom::media::store_file(bytes, &media) {
        assert!(upload.width > 0 && upload.height > 0, "a stored image has a size");
    }
    // Keep the disk from filling over millions of runs.
    let _ = std::fs::remove_dir_all(&media);
});
