//! The cluster model: resources, nodes, their free capacity index and resource states, and the
//! static placement rules of kube-scheduler's Filter plugins (NodeUnschedulable,
//! TaintToleration, NodeAffinity / nodeSelector) and the scoring of NodeResourcesFit,
//! NodeResourcesBalancedAllocation and TaintToleration (semantics.md SCH-S1..S3, PLC-1..5).
//!
//! Deliberate differences from kube-scheduler: preferred node affinity, pod (anti-)affinity,
//! topology spread and image locality are not modelled (their scores are constant for the
//! workloads modelled here), so they are left out of the sum.

use std::collections::BTreeMap;

use crate::error::{InputError, quote};
use crate::input::spec::{
    NodeSelectorTerm, NodeSpec, ResourceList, SelectorRequirement, Taint, TaintEffect, Toleration, TolerationOperator,
};

/// Resource dimensions a run can use at most (cpu, memory, pods, nvidia.com/gpu and four more).
pub const MAX_RESOURCES: usize = 8;
pub const CPU: usize = 0;
pub const MEMORY: usize = 1;
pub const PODS: usize = 2;
pub const GPU: usize = 3;
/// kubelet's default `maxPods`, used when a Node does not state `pods` in its allocatable.
pub const DEFAULT_MAX_PODS_MILLI: i64 = 110_000;

/// A fixed-size resource vector in canonical units (see `spec`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Res(pub [i64; MAX_RESOURCES]);

impl Res {
    pub fn fits_in(&self, free: &Res) -> bool {
        self.0.iter().zip(free.0.iter()).all(|(r, f)| r <= f)
    }
    /// Saturating, as every sum of amounts from input: pending pods' requests summed over a
    /// queue are bounded only by the pod count, and must not wrap.
    pub fn add(&mut self, o: &Res) {
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            *a = a.saturating_add(*b);
        }
    }
    pub fn sub(&mut self, o: &Res) {
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            *a = a.saturating_sub(*b);
        }
    }
    pub fn minus(&self, o: &Res) -> Res {
        let mut r = *self;
        r.sub(o);
        r
    }
    pub fn gpu_milli(&self) -> i64 {
        self.0[GPU]
    }
}

/// Names of the resource dimensions of a run, in index order.
#[derive(Clone, Debug)]
pub struct ResourceNames {
    names: Vec<String>,
}

impl Default for ResourceNames {
    fn default() -> Self {
        ResourceNames {
            names: ["cpu", "memory", "pods", "nvidia.com/gpu"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl ResourceNames {
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The index of `name`, registering it if new; an error past `MAX_RESOURCES` dimensions.
    pub fn intern(&mut self, name: &str) -> Result<usize, InputError> {
        if let Some(i) = self.index_of(name) {
            return Ok(i);
        }
        if self.names.len() == MAX_RESOURCES {
            return Err(InputError::new(
                "resources",
                format!(
                    "resource {} would be resource dimension {} but a run supports at most {MAX_RESOURCES} ({})",
                    quote(name),
                    MAX_RESOURCES + 1,
                    self.names.join(", ")
                ),
                "remove requests of resources that do not matter to the question (they are only counted, never scheduled on)",
            ));
        }
        self.names.push(name.to_string());
        Ok(self.names.len() - 1)
    }

    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Convert a resource list, registering new names.
    pub fn convert(&mut self, list: &ResourceList) -> Result<Res, InputError> {
        let mut r = Res::default();
        for (name, v) in list {
            let i = self.intern(name)?;
            r.0[i] = *v;
        }
        Ok(r)
    }
}

pub type NodeId = u32;

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub alloc: Res,
    /// Sum of requests of pods bound here and not yet terminal (the scheduler cache view).
    pub requested: Res,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    /// Part of the cluster yet (nodes can join later).
    pub present: bool,
    /// Rank of the name among all nodes, for the documented score tie-break.
    pub name_rank: u32,
}

impl Node {
    pub fn free(&self) -> Res {
        self.alloc.minus(&self.requested)
    }
}

/// Per-dimension GPU-level bitsets: `level[g]` holds the nodes with at least `g` whole GPUs
/// free (the top level holds every node with at least that many), so "which nodes could hold a
/// pod asking for `r` GPUs" is a scan of a bitset, not of every node.
#[derive(Clone, Debug, Default)]
pub struct FreeIndex {
    levels: Vec<Vec<u64>>,
    node_level: Vec<u8>,
}

/// GPU levels indexed (a node with more free GPUs than this sits in the top level).
pub const GPU_LEVELS: usize = 16;

impl FreeIndex {
    fn new(n: usize) -> Self {
        let words = n.div_ceil(64).max(1);
        FreeIndex {
            levels: vec![vec![0u64; words]; GPU_LEVELS + 1],
            node_level: vec![0; n],
        }
    }

    fn level_of(free_gpu_milli: i64) -> u8 {
        (free_gpu_milli.max(0) / 1000).min(GPU_LEVELS as i64) as u8
    }

    /// Record a node's free GPUs (`None`: absent from scheduling, in no level).
    fn set(&mut self, node: NodeId, free_gpu_milli: Option<i64>) {
        let i = node as usize;
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let new = free_gpu_milli.map(Self::level_of);
        let old_present = self.levels[0][w] & b != 0;
        let old = old_present.then_some(self.node_level[i]);
        if old == new {
            return;
        }
        if let Some(o) = old {
            for l in 0..=o as usize {
                self.levels[l][w] &= !b;
            }
        }
        if let Some(n) = new {
            for l in 0..=n as usize {
                self.levels[l][w] |= b;
            }
            self.node_level[i] = n;
        }
    }

    /// The bitset of nodes that may hold `gpu_milli` more GPU milli-units.
    pub fn candidates(&self, gpu_milli: i64) -> &[u64] {
        &self.levels[Self::level_of(gpu_milli) as usize]
    }
}

/// The resources of a node as kube-scheduler's NodeResourcesFit and BalancedAllocation see
/// them: allocatable, requested, and requested cpu and memory with the scoring defaults
/// (`Cluster::nonzero`). Nodes in one state pass or fail the resource Filter alike for every pod
/// and score alike (`resource_scores` reads nothing else).
pub type StateKey = (Res, Res, (i64, i64));

/// One resource state and the nodes in it.
#[derive(Clone, Debug)]
pub struct NodeState {
    pub alloc: Res,
    pub requested: Res,
    /// `alloc - requested`: what a pod must fit in.
    pub free: Res,
    pub nonzero: (i64, i64),
    /// How many present nodes are in this state (0: the slot is free for reuse).
    pub nodes: u32,
    /// The nodes in this state, one bit per node id.
    pub bits: Vec<u64>,
    /// The same nodes, one bit per name rank (`Node::name_rank`): in name order.
    pub by_name: Vec<u64>,
}

/// Present nodes grouped by resource state (`StateKey`), one bitset per state, so a scheduler
/// filters and scores a state once and counts its nodes by popcount. A cluster of identical
/// nodes running pods of a few shapes has a handful of states. Past `MAX_NODE_STATES` distinct
/// states at once the index turns itself off (`states()` is None) until the node set is rebuilt
/// (`Cluster::grow`), and callers visit nodes one by one: the bitsets cost a word per 64 nodes
/// per state, so their number is bounded.
#[derive(Clone, Debug, Default)]
pub struct StateIndex {
    words: usize,
    /// Per node: its state id, or `NO_STATE` (absent, or the index is off).
    node_state: Vec<u32>,
    states: Vec<NodeState>,
    /// Per state id: the hash of its key (`key_hash`); a state is found by scanning these and
    /// comparing keys only on a match (cheaper than ordered lookups of 18-word keys).
    hashes: Vec<u64>,
    /// How many states have nodes.
    live: usize,
    /// Ids of states without nodes, reused before new ones.
    spare: Vec<u32>,
    off: bool,
}

/// Distinct node states tracked at once before the state index turns off.
pub const MAX_NODE_STATES: usize = 64;
const NO_STATE: u32 = u32::MAX;

impl StateIndex {
    fn new(n: usize) -> Self {
        StateIndex {
            words: n.div_ceil(64).max(1),
            node_state: vec![NO_STATE; n],
            ..StateIndex::default()
        }
    }

    /// The states (some may have no nodes: skip those), or None when the index is off.
    pub fn states(&self) -> Option<&[NodeState]> {
        (!self.off).then_some(&self.states[..])
    }

    /// Record a node's resource state (`None`: absent from scheduling, in no state); `rank`
    /// is its name's rank.
    fn set(&mut self, node: NodeId, rank: u32, key: Option<StateKey>) {
        if self.off {
            return;
        }
        let i = node as usize;
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let (rw, rb) = (rank as usize / 64, 1u64 << (rank % 64));
        let old = self.node_state[i];
        let h = key.as_ref().map(key_hash);
        if old != NO_STATE {
            let st = &mut self.states[old as usize];
            // The hash first: a charge or release nearly always changes the state.
            if h == Some(self.hashes[old as usize]) && key.is_some_and(|k| k == (st.alloc, st.requested, st.nonzero)) {
                return;
            }
            st.bits[w] &= !b;
            st.by_name[rw] &= !rb;
            st.nodes -= 1;
            if st.nodes == 0 {
                self.live -= 1;
                self.spare.push(old);
            }
            self.node_state[i] = NO_STATE;
        }
        let (Some(key), Some(h)) = (key, h) else { return };
        let found = self
            .hashes
            .iter()
            .zip(&self.states)
            .position(|(&sh, st)| sh == h && st.nodes > 0 && (st.alloc, st.requested, st.nonzero) == key);
        let id = match found {
            Some(id) => id as u32,
            None => {
                if self.live == MAX_NODE_STATES {
                    *self = StateIndex {
                        off: true,
                        ..StateIndex::default()
                    };
                    return;
                }
                let (alloc, requested, nonzero) = key;
                let st = NodeState {
                    alloc,
                    requested,
                    free: alloc.minus(&requested),
                    nonzero,
                    nodes: 0,
                    bits: Vec::new(),
                    by_name: Vec::new(),
                };
                let id = match self.spare.pop() {
                    Some(id) => {
                        // A spare state has no nodes, so its bits are all clear.
                        let spare = &mut self.states[id as usize];
                        let (bits, by_name) = (std::mem::take(&mut spare.bits), std::mem::take(&mut spare.by_name));
                        *spare = NodeState { bits, by_name, ..st };
                        self.hashes[id as usize] = h;
                        id
                    }
                    None => {
                        self.states.push(NodeState {
                            bits: vec![0; self.words],
                            by_name: vec![0; self.words],
                            ..st
                        });
                        self.hashes.push(h);
                        (self.states.len() - 1) as u32
                    }
                };
                self.live += 1;
                id
            }
        };
        let st = &mut self.states[id as usize];
        st.bits[w] |= b;
        st.by_name[rw] |= rb;
        st.nodes += 1;
        self.node_state[i] = id;
    }
}

/// A 64-bit hash of a node resource state's key: each word times its own odd constant, summed
/// (independent multiplies, which pipeline, where a multiply-rotate chain waits on each step),
/// then mixed. Equal hashes are confirmed by comparing keys.
fn key_hash(key: &StateKey) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    const STEP: u64 = 0x9e37_79b9_7f4a_7c16;
    let (alloc, requested, (c, m)) = key;
    let mut h = 0u64;
    let mut k = K;
    for &w in alloc.0.iter().chain(&requested.0) {
        h = h.wrapping_add((w as u64).wrapping_mul(k));
        k = k.wrapping_add(STEP);
    }
    h = h.wrapping_add((*c as u64).wrapping_mul(k));
    h = h.wrapping_add((*m as u64).wrapping_mul(k.wrapping_add(STEP)));
    (h ^ (h >> 29)).wrapping_mul(K) ^ (h >> 32)
}

/// The best (score, name rank, node) so far, as the schedulers keep it: a higher score wins,
/// and a tie goes to the node whose name sorts first.
pub type Best = Option<(i64, u32, NodeId)>;

/// (score, name rank) beats `best`: a higher score, or the same with a smaller name.
pub fn better(best: Best, score: i64, rank: u32) -> bool {
    best.is_none_or(|(s, r, _)| score > s || (score == s && rank < r))
}

/// The best node of the states in `fitting` ((score, state id) pairs, sorted here best score
/// first), against `best`, the best of the nodes scored one by one: the states of one score are
/// visited together in name order (`NodeState::by_name`, `by_name` mapping ranks to nodes) up
/// to the first node `eligible` accepts, and the first score that has one decides, unless
/// `best` scores higher or ties with a smaller name. The node choice by resource state of
/// kube-scheduler's cycle and of Volcano's allocate.
pub fn best_in_states(
    states: &[NodeState],
    by_name: &[NodeId],
    fitting: &mut [(i64, u32)],
    mut best: Best,
    mut eligible: impl FnMut(usize) -> bool,
) -> Best {
    fitting.sort_unstable_by_key(|f| std::cmp::Reverse(f.0));
    let words = by_name.len().div_ceil(64);
    let mut k = 0;
    while k < fitting.len() {
        let score = fitting[k].0;
        if best.is_some_and(|(s, ..)| s > score) {
            break;
        }
        let end = k + fitting[k..].iter().take_while(|f| f.0 == score).count();
        for rw in 0..words {
            let mut word = fitting[k..end]
                .iter()
                .fold(0u64, |acc, &(_, s)| acc | states[s as usize].by_name[rw]);
            while word != 0 {
                let rank = rw * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                let node = by_name[rank];
                if eligible(node as usize) {
                    if better(best, score, rank as u32) {
                        best = Some((score, rank as u32, node));
                    }
                    return best;
                }
            }
        }
        k = end;
    }
    best
}

/// Nodes and their free-capacity index.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub index: FreeIndex,
    /// Present nodes by resource state.
    pub states: StateIndex,
    /// The node ids in name order (the inverse of `Node::name_rank`).
    pub by_name: Vec<NodeId>,
    /// Bumped whenever capacity is released or nodes change: a scheduling failure observed at
    /// one value stays a failure until it changes.
    pub generation: u64,
    /// Allocatable of present nodes, every dimension.
    pub total: Res,
    /// Requests charged to nodes (the sum of `Node::requested`; only present nodes are
    /// charged), exact: see `requested_total`.
    requested: [i128; MAX_RESOURCES],
    /// Per node: requested cpu and memory with the scoring defaults for pods without requests.
    pub nonzero: Vec<(i64, i64)>,
    /// Per node: the pods bound to it and not yet terminal.
    pub pods_on: Vec<Vec<u32>>,
    /// Some node has a taint (else TaintToleration scores are constant).
    pub any_taints: bool,
}

impl Cluster {
    pub fn new(specs: &[NodeSpec], names: &mut ResourceNames) -> Result<Cluster, InputError> {
        let mut nodes = Vec::with_capacity(specs.len());
        for s in specs {
            let mut alloc = names
                .convert(&s.allocatable)
                .map_err(|e| e.at(&s.loc.file, s.loc.line, None))?;
            if !s.allocatable.contains_key("pods") {
                alloc.0[PODS] = DEFAULT_MAX_PODS_MILLI;
            }
            nodes.push(Node {
                name: s.name.clone(),
                alloc,
                requested: Res::default(),
                labels: s.labels_with_kubelet(),
                taints: s.taints.clone(),
                unschedulable: s.unschedulable,
                present: false,
                name_rank: 0,
            });
        }
        let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
        order.sort_by(|a, b| nodes[*a as usize].name.cmp(&nodes[*b as usize].name));
        for (rank, &id) in order.iter().enumerate() {
            nodes[id as usize].name_rank = rank as u32;
        }
        let index = FreeIndex::new(nodes.len());
        let n = nodes.len();
        let any_taints = nodes.iter().any(|nd| !nd.taints.is_empty());
        Ok(Cluster {
            any_taints,
            nodes,
            index,
            states: StateIndex::new(n),
            by_name: order,
            generation: 0,
            total: Res::default(),
            requested: [0; MAX_RESOURCES],
            nonzero: vec![(0, 0); n],
            pods_on: vec![Vec::new(); n],
        })
    }

    /// Make room in the per-node tables after nodes were appended.
    pub fn grow(&mut self) {
        let n = self.nodes.len();
        self.index = FreeIndex::new(n);
        self.states = StateIndex::new(n);
        self.nonzero.resize(n, (0, 0));
        self.pods_on.resize(n, Vec::new());
        self.any_taints = self.nodes.iter().any(|nd| !nd.taints.is_empty());
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|a, b| self.nodes[*a as usize].name.cmp(&self.nodes[*b as usize].name));
        for (rank, &id) in order.iter().enumerate() {
            self.nodes[id as usize].name_rank = rank as u32;
        }
        self.by_name = order;
        for i in 0..n {
            self.reindex(i as NodeId);
        }
    }

    /// How many pods of `req` fit in what is free on the present nodes now, counted by
    /// resource state, when any node would take such a pod: None when a node is cordoned or
    /// tainted (a pod's tolerations decide) or the state index is off.
    pub fn free_slots_unfiltered(&self, req: &Res) -> Option<usize> {
        if self.nodes.iter().any(|n| n.unschedulable || !n.taints.is_empty()) {
            return None;
        }
        let states = self.states.states()?;
        Some(
            states
                .iter()
                .filter(|st| st.nodes > 0)
                .map(|st| (st.nodes as usize).saturating_mul(slots_on(req, &st.free)))
                .fold(0usize, usize::saturating_add),
        )
    }

    /// A node joins the cluster.
    pub fn add_node(&mut self, id: NodeId) {
        let n = &mut self.nodes[id as usize];
        assert!(!n.present, "node {} added twice", n.name);
        n.present = true;
        self.total.add(&n.alloc);
        self.generation += 1;
        self.reindex(id);
    }

    fn reindex(&mut self, id: NodeId) {
        let n = &self.nodes[id as usize];
        let free = n.present.then(|| n.free().gpu_milli());
        self.index.set(id, free);
        let key = n.present.then(|| (n.alloc, n.requested, self.nonzero[id as usize]));
        self.states.set(id, n.name_rank, key);
    }

    /// What pods request on the nodes, summed per dimension and capped at `i64::MAX` (the
    /// saturating sum of `Node::requested` over the nodes, kept as pods are charged and
    /// released).
    pub fn requested_total(&self) -> Res {
        Res(self.requested.map(|t| t.min(i128::from(i64::MAX)) as i64))
    }

    /// Charge a pod's requests to a node (bind).
    pub fn charge(&mut self, id: NodeId, pod: u32, req: &Res) {
        let n = &mut self.nodes[id as usize];
        n.requested.add(req);
        assert!(n.requested.fits_in(&n.alloc), "node {} over capacity", n.name);
        for (t, r) in self.requested.iter_mut().zip(req.0) {
            *t += i128::from(r);
        }
        let (c, m) = non_zero(req);
        let nz = &mut self.nonzero[id as usize];
        nz.0 += c;
        nz.1 += m;
        self.pods_on[id as usize].push(pod);
        self.reindex(id);
    }

    /// Release a pod's requests from a node (the pod is terminal).
    pub fn release(&mut self, id: NodeId, pod: u32, req: &Res) {
        let n = &mut self.nodes[id as usize];
        n.requested.sub(req);
        assert!(
            n.requested.0.iter().all(|v| *v >= 0),
            "node {} released below zero",
            n.name
        );
        for (t, r) in self.requested.iter_mut().zip(req.0) {
            *t -= i128::from(r);
        }
        let (c, m) = non_zero(req);
        let nz = &mut self.nonzero[id as usize];
        nz.0 -= c;
        nz.1 -= m;
        let list = &mut self.pods_on[id as usize];
        let at = list.iter().position(|&p| p == pod).expect("pod on its node");
        list.swap_remove(at);
        self.generation += 1;
        self.reindex(id);
    }
}

// ---------------------------------------------------------------------------------------------
// Static filters (do not depend on free capacity).

/// The nodes set in both bitsets (one bit per node, 64 per word), in node order.
pub fn nodes_in_both<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = usize> + 'a {
    a.iter().zip(b).enumerate().flat_map(|(w, (x, y))| {
        let mut word = x & y;
        std::iter::from_fn(move || {
            (word != 0).then(|| {
                let i = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                i
            })
        })
    })
}

/// Does a toleration tolerate a taint (PLC-1)?
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if let Some(e) = t.effect
        && e != taint.effect
    {
        return false;
    }
    match t.operator {
        TolerationOperator::Exists => t.key.is_empty() || t.key == taint.key,
        TolerationOperator::Equal => t.key == taint.key && t.value == taint.value,
    }
}

/// Does a label selector select these labels? (an empty selector selects everything, as a
/// namespaceSelector `{}` does).
pub fn selector_matches(sel: &crate::input::spec::LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    sel.selects(labels)
}

pub fn requirement_matches(r: &SelectorRequirement, value: Option<&str>) -> bool {
    r.matches(value)
}

fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    // An empty term matches nothing (k8s: "a null or empty node selector term matches no objects").
    if term.match_expressions.is_empty() && term.match_fields.is_empty() {
        return false;
    }
    term.match_expressions
        .iter()
        .all(|r| requirement_matches(r, node.labels.get(&r.key).map(String::as_str)))
        && term.match_fields.iter().all(|r| {
            let v = (r.key == "metadata.name").then_some(node.name.as_str());
            requirement_matches(r, v)
        })
}

/// The placement constraints of a pod that do not change while it waits.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Constraints {
    pub node_selector: Vec<(String, String)>,
    pub affinity_terms: Vec<NodeSelectorTerm>,
    pub tolerations: Vec<Toleration>,
}

/// Why a node was filtered out for a pod, in the order of kube-scheduler's default Filter
/// plugins (pkg/scheduler/apis/config/v1/default_plugins.go: NodeUnschedulable, NodeName,
/// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit); the framework stops at a node's
/// first failing plugin, so that one is the node's reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reject {
    /// NodeUnschedulable (cordoned).
    Unschedulable,
    /// An untolerated NoSchedule/NoExecute taint.
    Taint,
    /// NodeAffinity / nodeSelector mismatch.
    Affinity,
    /// NodeResourcesFit: not enough of a resource (preemption may help).
    Resources,
}

impl Reject {
    /// Whether preemption could resolve it (Unschedulable vs UnschedulableAndUnresolvable).
    pub fn resolvable(self) -> bool {
        self == Reject::Resources
    }
}

impl Reject {
    /// kube-scheduler's Filter reason for a node this rejects (None for resources, whose words
    /// name the short resource): nodeunschedulable `ErrReasonUnschedulable`, tainttoleration's
    /// (the taint left the message in v1.35, kubernetes/kubernetes#134740), nodeaffinity
    /// `ErrReasonPod`.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Reject::Unschedulable => Some("node(s) were unschedulable"),
            Reject::Taint => Some("node(s) had untolerated taint(s)"),
            Reject::Affinity => Some("node(s) didn't match Pod's node affinity/selector"),
            Reject::Resources => None,
        }
    }
}

/// How many of the pods `wanted` (each a shape `shape` gives: its request and constraints) can
/// be placed at once on the present nodes that pass their static filters, node `n` having
/// `free[n]` left. Exact when all pods are alike (slot counting, stopping once all fit);
/// first-fit decreasing otherwise. One placement serves the deadlock detector (the free
/// capacity if partial gangs let go) and `kubesim explain` (every node empty).
pub fn place_count<'a, C: Copy + PartialEq>(
    nodes: &[Node],
    free: &[Res],
    wanted: &[C],
    shape: impl Fn(C) -> (&'a Res, &'a Constraints),
) -> usize {
    let feasible = |c: C, n: usize| nodes[n].present && static_filter(shape(c).1, &nodes[n]).is_ok();
    let Some(&first) = wanted.first() else { return 0 };
    if wanted.iter().all(|&c| c == first) {
        let req = shape(first).0;
        let mut slots = 0usize;
        for (n, f) in free.iter().enumerate() {
            if !feasible(first, n) {
                continue;
            }
            slots += slots_on(req, f);
            if slots >= wanted.len() {
                return wanted.len();
            }
        }
        return slots;
    }
    let mut order: Vec<C> = wanted.to_vec();
    order.sort_by_key(|&c| std::cmp::Reverse(*shape(c).0));
    let mut free = free.to_vec();
    let mut placed = 0;
    for c in order {
        let req = shape(c).0;
        if let Some(n) = (0..free.len()).find(|&n| feasible(c, n) && req.fits_in(&free[n])) {
            free[n].sub(req);
            placed += 1;
        }
    }
    placed
}

/// How many pods of `req` fit in `free`.
pub fn slots_on(req: &Res, free: &Res) -> usize {
    let mut slots = usize::MAX;
    for (r, f) in req.0.iter().zip(free.0.iter()) {
        if *r > 0 {
            slots = slots.min((*f).max(0) as usize / *r as usize);
        } else if *f < 0 {
            return 0;
        }
    }
    if slots == usize::MAX { usize::MAX / 2 } else { slots }
}

/// Static filter: NodeUnschedulable, TaintToleration, NodeAffinity/nodeSelector, in the plugins'
/// order (SCH-C1, PLC-2, PLC-5).
pub fn static_filter(c: &Constraints, node: &Node) -> Result<(), Reject> {
    if node.unschedulable {
        let tolerated = c.tolerations.iter().any(|t| {
            tolerates(
                t,
                &Taint {
                    key: "node.kubernetes.io/unschedulable".into(),
                    value: String::new(),
                    effect: TaintEffect::NoSchedule,
                },
            )
        });
        if !tolerated {
            return Err(Reject::Unschedulable);
        }
    }
    let untolerated = node
        .taints
        .iter()
        .filter(|t| t.effect != TaintEffect::PreferNoSchedule)
        .any(|taint| !c.tolerations.iter().any(|t| tolerates(t, taint)));
    if untolerated {
        return Err(Reject::Taint);
    }
    if !c.node_selector.iter().all(|(k, v)| node.labels.get(k) == Some(v)) {
        return Err(Reject::Affinity);
    }
    if !c.affinity_terms.is_empty() && !c.affinity_terms.iter().any(|t| term_matches(t, node)) {
        return Err(Reject::Affinity);
    }
    Ok(())
}

/// Number of PreferNoSchedule taints of the node the pod does not tolerate.
pub fn intolerable_prefer_no_schedule(c: &Constraints, node: &Node) -> i64 {
    node.taints
        .iter()
        .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
        .filter(|taint| !c.tolerations.iter().any(|t| tolerates(t, taint)))
        .count() as i64
}

/// NodeResourcesFit scoring strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scoring {
    LeastAllocated,
    MostAllocated,
}

/// kube-scheduler's non-zero request defaults used in scoring (100m CPU, 200 MiB) (SCH-C4).
const DEFAULT_CPU_MILLI: i64 = 100;
const DEFAULT_MEMORY_BYTES: i64 = 200 * 1024 * 1024;

/// A pod's cpu and memory requests with kube-scheduler's scoring defaults for zero requests.
pub fn non_zero_pub(req: &Res) -> (i64, i64) {
    non_zero(req)
}

fn non_zero(req: &Res) -> (i64, i64) {
    let cpu = if req.0[CPU] == 0 { DEFAULT_CPU_MILLI } else { req.0[CPU] };
    let mem = if req.0[MEMORY] == 0 {
        DEFAULT_MEMORY_BYTES
    } else {
        req.0[MEMORY]
    };
    (cpu, mem)
}

/// NodeResourcesFit score (SCH-S2) with weights cpu 1, memory 1, and BalancedAllocation over cpu
/// and memory (SCH-S3). `node_nonzero` is the node's requested cpu/memory with the non-zero
/// defaults applied per pod; the incoming pod's is added here.
pub fn resource_scores(scoring: Scoring, alloc: &Res, node_nonzero: (i64, i64), pod: &Res) -> (i64, i64) {
    let (pc, pm) = non_zero(pod);
    let req = [node_nonzero.0 + pc, node_nonzero.1 + pm];
    let cap = [alloc.0[CPU], alloc.0[MEMORY]];
    let mut sum = 0;
    let mut fractions = [0f64; 2];
    for i in 0..2 {
        let (r, c) = (req[i], cap[i]);
        let s = if c == 0 {
            0
        } else {
            match scoring {
                Scoring::LeastAllocated => {
                    if r > c {
                        0
                    } else {
                        (c - r) * 100 / c
                    }
                }
                Scoring::MostAllocated => r.min(c) * 100 / c,
            }
        };
        sum += s;
        fractions[i] = if c == 0 { 1.0 } else { (r as f64 / c as f64).min(1.0) };
    }
    let fit = sum / 2;
    let std = ((fractions[0] - fractions[1]) / 2.0).abs();
    let balanced = ((1.0 - std) * 100.0) as i64;
    (fit, balanced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_the_kubelet_labels_unless_they_set_them() {
        let own: BTreeMap<String, String> = [("kubernetes.io/arch".to_string(), "arm64".to_string())].into();
        let l = crate::input::spec::kubelet_labels(&own, "gpu-3");
        assert_eq!(l["kubernetes.io/hostname"], "gpu-3");
        assert_eq!(l["kubernetes.io/os"], "linux");
        assert_eq!(l["kubernetes.io/arch"], "arm64", "the manifest's label wins");
        assert_eq!(l.len(), 3);
    }

    fn node(labels: &[(&str, &str)], taints: Vec<Taint>) -> Node {
        Node {
            name: "n".into(),
            alloc: Res([8000, 64 << 30, 110_000, 8000, 0, 0, 0, 0]),
            requested: Res::default(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            taints,
            unschedulable: false,
            present: true,
            name_rank: 0,
        }
    }

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
        }
    }

    fn tol(key: &str, op: TolerationOperator, value: &str, effect: Option<TaintEffect>) -> Toleration {
        Toleration {
            key: key.into(),
            operator: op,
            value: value.into(),
            effect,
            toleration_seconds: None,
        }
    }

    #[test]
    fn toleration_matching_table() {
        use TaintEffect::*;
        use TolerationOperator::*;
        let gpu = taint("nvidia.com/gpu", "present", NoSchedule);
        let cases = [
            (
                "equal key value effect",
                tol("nvidia.com/gpu", Equal, "present", Some(NoSchedule)),
                true,
            ),
            (
                "equal wrong value",
                tol("nvidia.com/gpu", Equal, "absent", Some(NoSchedule)),
                false,
            ),
            (
                "exists ignores value",
                tol("nvidia.com/gpu", Exists, "", Some(NoSchedule)),
                true,
            ),
            (
                "empty effect matches all",
                tol("nvidia.com/gpu", Exists, "", None),
                true,
            ),
            (
                "wrong effect",
                tol("nvidia.com/gpu", Exists, "", Some(NoExecute)),
                false,
            ),
            ("empty key exists matches all", tol("", Exists, "", None), true),
            ("other key", tol("other", Exists, "", None), false),
        ];
        for (name, t, want) in cases {
            assert_eq!(tolerates(&t, &gpu), want, "{name}");
        }
    }

    #[test]
    fn static_filter_table() {
        let tainted = node(
            &[("gpu-type", "A100")],
            vec![taint("nvidia.com/gpu", "present", TaintEffect::NoSchedule)],
        );
        let soft = node(&[], vec![taint("spot", "", TaintEffect::PreferNoSchedule)]);
        let mut cordoned = node(&[], vec![]);
        cordoned.unschedulable = true;
        let sel = Constraints {
            node_selector: vec![("gpu-type".into(), "A100".into())],
            ..Default::default()
        };
        let tolerant = Constraints {
            node_selector: vec![("gpu-type".into(), "A100".into())],
            tolerations: vec![tol(
                "nvidia.com/gpu",
                TolerationOperator::Equal,
                "present",
                Some(TaintEffect::NoSchedule),
            )],
            ..Default::default()
        };
        let in_h100 = Constraints {
            affinity_terms: vec![NodeSelectorTerm {
                match_expressions: vec![SelectorRequirement {
                    key: "gpu-type".into(),
                    operator: crate::input::spec::SelectorOperator::In,
                    values: vec!["H100".into()],
                }],
                match_fields: vec![],
            }],
            ..Default::default()
        };
        assert_eq!(static_filter(&sel, &tainted), Err(Reject::Taint));
        assert_eq!(static_filter(&tolerant, &tainted), Ok(()));
        assert_eq!(static_filter(&sel, &soft), Err(Reject::Affinity));
        assert_eq!(static_filter(&Constraints::default(), &soft), Ok(()));
        assert_eq!(intolerable_prefer_no_schedule(&Constraints::default(), &soft), 1);
        assert_eq!(
            static_filter(&Constraints::default(), &cordoned),
            Err(Reject::Unschedulable)
        );
        // TaintToleration runs before NodeAffinity: a node failing both reports the taint.
        assert_eq!(static_filter(&in_h100, &tainted), Err(Reject::Taint));
        let tolerant_h100 = Constraints {
            tolerations: tolerant.tolerations.clone(),
            ..in_h100.clone()
        };
        assert_eq!(static_filter(&tolerant_h100, &tainted), Err(Reject::Affinity));
    }

    #[test]
    fn least_and_most_allocated_scores() {
        let n = node(&[], vec![]);
        // 8 CPU, 64 GiB; pod asks 2 CPU and 16 GiB: 25% of each.
        let pod = Res([2000, 16 << 30, 1000, 1000, 0, 0, 0, 0]);
        assert_eq!(
            resource_scores(Scoring::LeastAllocated, &n.alloc, (0, 0), &pod),
            (75, 100)
        );
        assert_eq!(
            resource_scores(Scoring::MostAllocated, &n.alloc, (0, 0), &pod),
            (25, 100)
        );
        // cpu 50% used, memory 25%: balanced = (1 - 0.25/2) * 100 = 87.
        let pod = Res([4000, 16 << 30, 1000, 0, 0, 0, 0, 0]);
        assert_eq!(
            resource_scores(Scoring::LeastAllocated, &n.alloc, (0, 0), &pod),
            (62, 87)
        );
    }

    #[test]
    fn slots_count_the_scarcest_resource() {
        let req = Res([1000, 0, 1000, 2000, 0, 0, 0, 0]);
        let free = Res([8000, 0, 110_000, 7000, 0, 0, 0, 0]);
        assert_eq!(slots_on(&req, &free), 3);
        let none = Res([8000, 0, 110_000, 1000, 0, 0, 0, 0]);
        assert_eq!(slots_on(&req, &none), 0);
    }

    #[test]
    fn state_index_groups_nodes_by_resources_and_turns_off_past_its_bound() {
        let alloc = Res([8000, 0, 110_000, 8000, 0, 0, 0, 0]);
        let used = |g: i64| Some((alloc, Res([0, 0, 0, g * 1000, 0, 0, 0, 0]), (0, 0)));
        let mut idx = StateIndex::new(130);
        // Node 0 ranks 129 by name, node 129 ranks 0.
        let rank = |n: u32| 129 - n;
        for n in 0..130 {
            idx.set(n, rank(n), used(i64::from(n % 2)));
        }
        let live = |idx: &StateIndex| {
            let mut v: Vec<(i64, u32)> = idx
                .states()
                .expect("on")
                .iter()
                .filter(|s| s.nodes > 0)
                .map(|s| (s.requested.gpu_milli(), s.nodes))
                .collect();
            v.sort();
            v
        };
        assert_eq!(live(&idx), vec![(0, 65), (1000, 65)]);
        let st = &idx.states().expect("on")[idx.node_state[129] as usize];
        assert_eq!(st.free.gpu_milli(), 7000);
        assert!(st.bits[2] & 0b10 != 0 && st.by_name[0] & 1 != 0);
        // Leaving a state empties it; its slot is reused.
        idx.set(129, rank(129), used(0));
        idx.set(129, rank(129), None);
        assert_eq!(live(&idx), vec![(0, 65), (1000, 64)]);
        for n in 1..129u32 {
            idx.set(n, rank(n), used(2));
        }
        assert_eq!(live(&idx), vec![(0, 1), (2000, 128)]);
        assert!(idx.states().expect("on").len() <= 3);
        // Nodes 0..63 in states of their own, 63..128 in one more.
        for n in 0..MAX_NODE_STATES as u32 - 1 {
            idx.set(n, rank(n), used(i64::from(n) + 10));
        }
        assert!(idx.states().is_some(), "{MAX_NODE_STATES} states at once");
        idx.set(100, rank(100), used(1000));
        assert!(idx.states().is_none(), "one state too many");
    }

    #[test]
    fn free_index_levels_track_free_gpus() {
        let mut idx = FreeIndex::new(3);
        idx.set(0, Some(8000));
        idx.set(1, Some(2500));
        idx.set(2, None);
        let has = |idx: &FreeIndex, g: i64, n: usize| idx.candidates(g)[0] & (1 << n) != 0;
        assert!(has(&idx, 8000, 0) && !has(&idx, 8000, 1));
        assert!(has(&idx, 2000, 1) && has(&idx, 2500, 1) && !has(&idx, 3000, 1));
        assert!(!has(&idx, 0, 2));
        idx.set(0, Some(0));
        assert!(!has(&idx, 1000, 0) && has(&idx, 0, 0));
        idx.set(0, None);
        assert!(!has(&idx, 0, 0));
    }
}
