//! The `logfig` command-line tool: `check`, `schema`, `explain`, `fmt`.
//! Everything lives in `logfig::cli`.

fn main() -> std::process::ExitCode {
    logfig::cli::main()
}
