//! The `newsroom` command: a thin shell over the library's CLI.

fn main() -> std::process::ExitCode {
    newsroom::cli::main()
}
