//! The `kubesim` binary: the command line of [`kubesim::cli`].

/// mimalloc rather than the system allocator: a run allocates and frees small records at every
/// event; with the system allocator two threads ran 4 seeds of a 100,000-Job case 1.13x and 400
/// small runs 1.43x faster than one, with mimalloc 2.00x and 2.02x (README, Speed). Results do
/// not depend on the allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (mimalloc.h; linked with the allocator).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (the version libmimalloc-sys builds
/// by default; `include/mimalloc.h`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> std::process::ExitCode {
    // Memory freed goes back to the OS at once instead of after 10 ms, so the peak follows
    // what a run holds (the end of a run frees its workloads while it makes their rows): peak
    // RSS of 100k Jobs 133 -> 77 MB, of the 1M-job trace 516 -> 502 MB, times within noise.
    // SAFETY: sets an integer option; mimalloc reads options at any time.
    // mimalloc's own MIMALLOC_PURGE_DELAY, when set, is left to decide.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    kubesim::cli::main()
}
