//! The `hfaudit` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    hfaudit::cli::main()
}
