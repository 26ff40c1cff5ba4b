//! The `kubesim` binary: the command line of [`kubesim::cli`].

/// mimalloc rather than the system allocator: a run allocates and frees small records at every
/// event, and with several runs in parallel glibc's arenas contend (README, Speed). Results do
/// not depend on the allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kubesim::cli::main()
}
