//! The PBS `nodes=` resource spec that the extended SWF of MetaCentrum carries in its last field
//! (as in the Alea simulator's data sets), and the shape of pods it becomes. Grammar (PBS
//! Professional / TORQUE `-l nodes=`; see `traces/README.md`, "Extended SWF"):
//!
//! ```text
//! spec  = chunk { "+" chunk } [ "#" flag ]          flag: excl, shared, ... (ignored)
//! chunk = ( count | host ) { ":" token }
//! token = "ppn=" P | property | key "=" value       P: processors per node, may be decimal
//! ```
//!
//! A chunk that starts with a count `N` asks N nodes; one that starts with a host name (any
//! token that is not a whole number) asks that one node. `ppn` defaults to 1 (PBS's default).
//! A decimal `ppn` (`1.5`, seen in MetaCentrum's log) is rounded up to whole processors (the
//! Alea reader drops the fraction instead; rounding up never asks less than the log says).
//! Properties (`brno`, `cl_zegox`), other `key=value` tokens and the `#` flag are ignored.

/// What a PBS spec asks: nodes and processors, over all its chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PbsShape {
    /// Nodes over all chunks (the pods).
    pub nodes: u64,
    /// Processors over all chunks: the sum of N x ceil(ppn).
    pub procs: u64,
    /// The largest ppn of a chunk (rounded up).
    pub max_ppn: u64,
}

impl PbsShape {
    /// Processors per pod: the job's processors spread evenly over its nodes, rounded up
    /// (exact for a spec of one chunk or of chunks of equal ppn).
    pub fn procs_per_pod(&self) -> u64 {
        self.procs.div_ceil(self.nodes.max(1))
    }
}

/// Why a spec is refused (the skip reasons of the SWF importer).
pub const BAD_SPEC: &str = "bad PBS spec";
/// A spec asking no node or no processor.
pub const ZERO_PROCS: &str = "zero processors";

/// At most this many nodes or processors in one spec (beyond, the row is a bad spec): far more
/// than any machine, small enough that sums never wrap.
const MAX_COUNT: u64 = 1 << 32;

/// Parses a PBS `nodes=` spec (without the `nodes=`; a leading `nodes=` is accepted too).
pub fn parse(spec: &str) -> Result<PbsShape, &'static str> {
    let spec = spec.strip_prefix("nodes=").unwrap_or(spec);
    let body = spec.split('#').next().unwrap_or("");
    let mut shape = PbsShape {
        nodes: 0,
        procs: 0,
        max_ppn: 0,
    };
    for chunk in body.split('+') {
        let (n, ppn) = chunk_of(chunk)?;
        if n == 0 || ppn == 0 {
            return Err(ZERO_PROCS);
        }
        shape.nodes = shape.nodes.checked_add(n).filter(|v| *v <= MAX_COUNT).ok_or(BAD_SPEC)?;
        let procs = n.checked_mul(ppn).ok_or(BAD_SPEC)?;
        shape.procs = shape
            .procs
            .checked_add(procs)
            .filter(|v| *v <= MAX_COUNT)
            .ok_or(BAD_SPEC)?;
        shape.max_ppn = shape.max_ppn.max(ppn);
    }
    Ok(shape)
}

/// One chunk: (nodes, ppn rounded up).
fn chunk_of(chunk: &str) -> Result<(u64, u64), &'static str> {
    let mut tokens = chunk.split(':');
    let first = tokens.next().unwrap_or("").trim();
    if first.is_empty() {
        return Err(BAD_SPEC);
    }
    let nodes = if first.bytes().all(|b| b.is_ascii_digit()) {
        first.parse::<u64>().ok().filter(|n| *n <= MAX_COUNT).ok_or(BAD_SPEC)?
    } else if first.contains('=') {
        // `ppn=4` with no count: one node.
        return tokens_ppn(std::iter::once(first).chain(tokens)).map(|p| (1, p));
    } else {
        // A host name (`skirit5.ics.muni.cz`): that one node.
        1
    };
    tokens_ppn(tokens).map(|p| (nodes, p))
}

/// The `ppn=` of a chunk's tokens, rounded up; 1 when there is none.
fn tokens_ppn<'a>(tokens: impl Iterator<Item = &'a str>) -> Result<u64, &'static str> {
    let mut ppn = 1;
    for t in tokens {
        if t.is_empty() {
            return Err(BAD_SPEC);
        }
        if let Some(p) = t.strip_prefix("ppn=") {
            ppn = ppn_of(p)?;
        }
    }
    Ok(ppn)
}

/// A `ppn` value, whole or decimal, rounded up to whole processors.
fn ppn_of(p: &str) -> Result<u64, &'static str> {
    let (whole, frac) = p.split_once('.').unwrap_or((p, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 10 || !digits(whole) || !digits(frac) {
        return Err(BAD_SPEC);
    }
    let w: u64 = whole.parse().map_err(|_| BAD_SPEC)?;
    Ok(w + u64::from(frac.bytes().any(|b| b != b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(spec: &str) -> (u64, u64, u64) {
        let s = parse(spec).unwrap();
        (s.nodes, s.procs, s.procs_per_pod())
    }

    #[test]
    fn every_form_of_the_grammar() {
        // Bare counts: N nodes of 1 processor.
        assert_eq!(shape("1"), (1, 1, 1));
        assert_eq!(shape("4"), (4, 4, 1));
        // N:ppn=P, with properties and #excl.
        assert_eq!(shape("2:ppn=12:cl_zegox#excl"), (2, 24, 12));
        assert_eq!(shape("1:ppn=8#excl"), (1, 8, 8));
        assert_eq!(shape("nodes=3:ppn=2"), (3, 6, 2));
        // Decimal ppn, rounded up; a property after it.
        assert_eq!(shape("1:ppn=1.5:brno"), (1, 2, 2));
        assert_eq!(shape("2:ppn=4.0"), (2, 8, 4));
        // Chunks: 2 x 8 + 1 x 4 = 20 processors on 3 nodes, 7 per pod (rounded up).
        assert_eq!(shape("2:ppn=8+1:ppn=4"), (3, 20, 7));
        assert_eq!(parse("2:ppn=8+1:ppn=4").unwrap().max_ppn, 8);
        // Host names: one node each.
        assert_eq!(shape("skirit5.ics.muni.cz:ppn=2"), (1, 2, 2));
        assert_eq!(shape("tarkil1:ppn=4+tarkil2:ppn=4"), (2, 8, 4));
        assert_eq!(shape("ppn=4"), (1, 4, 4));
        // Other key=value tokens are ignored.
        assert_eq!(shape("1:ppn=2:mem=4gb:gpu=1"), (1, 2, 2));
    }

    #[test]
    fn refused_specs_name_their_reason() {
        for bad in [
            "",
            "+",
            "1:ppn=",
            "1:ppn=x",
            "1::ppn=2",
            "1:ppn=-2",
            "99999999999",
            "1:ppn=1e3",
        ] {
            assert_eq!(parse(bad), Err(BAD_SPEC), "{bad:?}");
        }
        for zero in ["0", "0:ppn=4", "2:ppn=0", "1:ppn=0.0"] {
            assert_eq!(parse(zero), Err(ZERO_PROCS), "{zero:?}");
        }
    }
}
