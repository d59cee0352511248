//! The `hfaudit` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    let code = hfaudit::cli::main();
    // A signal the run noticed too late to stop at: it still ends in 128 + the signal, with
    // every temporary folder removed.
    hfaudit::scratch::exit_if_signalled();
    code
}
