//! The one rule for the optional files beside the project (`../shared`: the seed manifests and
//! the full real traces), used by the integration tests (`tests/common`) and by the library's
//! unit tests (`src/trace/mod.rs` includes this file as `trace::shared`).

use std::io::Write;
use std::path::{Path, PathBuf};

/// `../shared/<rel>`, or None when a clone has no `../shared`: the tests that need it return
/// early then. CI sets `KUBESIM_REQUIRE_SHARED=1`, which turns the absence into a failure so
/// these tests cannot silently stop running there.
pub fn shared_path(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("KUBESIM_REQUIRE_SHARED").as_deref() != Ok("1"),
        "../shared/{rel} not found ({}) and KUBESIM_REQUIRE_SHARED=1 requires it",
        p.display()
    );
    // Written to the process's stderr, not with eprintln!, which the test harness captures for
    // passing tests: the skip should show in a plain `cargo test`.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: ../shared/{rel} not found (set KUBESIM_REQUIRE_SHARED=1 to require it)"
    );
    None
}
