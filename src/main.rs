//! The `newsroom` command: a thin shell over the library's CLI.

/// mimalloc returns freed memory to the system sooner than the platform allocator and is faster with many
/// threads: the page cache churns through many short-lived pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    newsroom::cli::main()
}
