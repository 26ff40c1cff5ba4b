//! The `kubesim` binary: the command line of [`kubesim::cli`].

fn main() -> std::process::ExitCode {
    kubesim::cli::main()
}
