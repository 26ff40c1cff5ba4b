//! `kubesim merge`: the output folders of `--shard I/N` runs combined into the files one run
//! gives.

use std::path::{Path, PathBuf};

use super::execute::write_all;
use crate::error::InputError;
use crate::experiment::outdir::OutDir;
use crate::experiment::output::merge;

/// `merge` the `shards` into `out` (`json`: print `--json`'s document).
pub(super) fn run(shards: &[PathBuf], out: &Path, overwrite: bool, json: bool) -> Result<(), InputError> {
    let mut dir = OutDir::open(out, overwrite)?;
    let (plan, tables) = merge(shards)?;
    write_all(&plan, &tables, &mut dir, &super::ui::progress(None), json)
}
