//! The `partnerly` binary.

fn main() -> std::process::ExitCode {
    partnerly_api::cli::main()
}
