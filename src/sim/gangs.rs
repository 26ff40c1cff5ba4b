//! Gangs in a run: members created, holding resources, running and gone, as the write path
//! reports them (a gang works once `min_member` members run, contract.md section 4), and the
//! exact deadlock detection over partial gangs (see `model::gang` for the definitions). The
//! deadlock state changes only at the end of an instant (`class::DEADLOCK_CHECK`).

use crate::engine::SimTime;
use crate::model::cluster::{Res, place_count};
use crate::model::gang::{Gang, GangId};
use crate::sim::{ClassId, Ev, PodId, WlId, World, class};

impl World {
    pub(crate) fn new_gang(&mut self, object: String, min_member: u32, wl: Option<WlId>) -> GangId {
        self.store.gangs.push(Gang::new(object, min_member, wl));
        self.store.gangs.len() as GangId - 1
    }

    /// Apply a change to a gang, keeping the stranded-GPU level and the partial set right.
    pub(crate) fn with_gang(&mut self, g: GangId, change: impl FnOnce(&mut Gang)) {
        let now = self.now();
        self.rec.gpu.advance(now);
        let gang = &mut self.store.gangs[g as usize];
        if gang.is_partial() {
            self.rec.gpu.stranded_milli -= gang.held_gpu_milli;
        }
        change(gang);
        let partial = gang.is_partial();
        if partial {
            self.rec.gpu.stranded_milli += gang.held_gpu_milli;
            self.store.partial_gangs.insert(g);
        } else {
            self.store.partial_gangs.remove(&g);
        }
        self.schedule_deadlock_check();
    }

    pub(crate) fn gang_member_created(&mut self, g: GangId, pod: PodId) {
        let class = self.store.pods[pod as usize].class;
        let gang = &mut self.store.gangs[g as usize];
        gang.members.push(pod);
        gang.created += 1;
        gang.member_class.get_or_insert(class);
    }

    /// A member starts holding resources (bound, or reserved at Permit).
    pub(crate) fn gang_member_holds(&mut self, g: GangId, pod: PodId) {
        let gpu = self.store.classes[self.store.pods[pod as usize].class as usize]
            .req
            .gpu_milli();
        self.with_gang(g, |gang| {
            gang.holding += 1;
            gang.held_gpu_milli += gpu;
        });
    }

    /// A member stops holding resources (terminal, or its reservation undone); `succeeded`:
    /// it ended its work (the gang needs it no more).
    pub(crate) fn gang_member_releases(&mut self, g: GangId, pod: PodId, succeeded: bool) {
        let gpu = self.store.classes[self.store.pods[pod as usize].class as usize]
            .req
            .gpu_milli();
        self.with_gang(g, |gang| {
            gang.holding -= 1;
            gang.held_gpu_milli -= gpu;
            gang.succeeded += u32::from(succeeded);
        });
    }

    /// A member's container runs: the gang forms once `min_member` run; members of a formed
    /// gang work.
    pub(crate) fn gang_member_running(&mut self, g: GangId, pod: PodId) {
        let gang = &mut self.store.gangs[g as usize];
        gang.running += 1;
        if gang.formed {
            self.begin_work(pod);
            if self.store.gangs[g as usize].wl.is_none() {
                let wl = self.store.pods[pod as usize].wl;
                self.maybe_started(wl);
            }
            return;
        }
        if gang.running >= gang.min_member {
            gang.formed = true;
            let obj = gang.object.clone();
            let wl = gang.wl;
            self.event(|| obj, "GangFormed", String::new);
            let ready: Vec<PodId> = self.store.gangs[g as usize]
                .members
                .iter()
                .copied()
                .filter(|&m| {
                    self.store.pods[m as usize].phase == crate::sim::Phase::Running
                        && !self.store.pods[m as usize].working
                })
                .collect();
            for &m in &ready {
                self.begin_work(m);
            }
            match wl {
                Some(wl) => {
                    if self.store.workloads[wl as usize].start.is_none() {
                        self.store.workloads[wl as usize].start = Some(self.now());
                        self.jobset_child_started(wl);
                    }
                }
                // A PodGroup object's gang: its members' workloads (Jobs whose pods join the
                // group) start, as any Job does, once they have the pods they need running and
                // working.
                None => {
                    for m in ready {
                        let wl = self.store.pods[m as usize].wl;
                        self.maybe_started(wl);
                    }
                }
            }
        }
    }

    pub(crate) fn gang_member_stopped_running(&mut self, g: GangId) {
        self.store.gangs[g as usize].running -= 1;
    }

    pub(crate) fn gang_member_gone(&mut self, g: GangId, pod: PodId) {
        self.store.gangs[g as usize].members.retain(|&m| m != pod);
    }

    pub(crate) fn schedule_deadlock_check(&mut self) {
        if !self.rec.detect_deadlocks
            || self.rec.deadlock.check_scheduled
            || (self.store.partial_gangs.is_empty() && self.rec.deadlock.since.is_none())
        {
            return;
        }
        self.rec.deadlock.check_scheduled = true;
        let now = self.now();
        self.engine
            .schedule_daemon(now, class::DEADLOCK_CHECK, Ev::DeadlockCheck);
    }

    /// Capacity changed (a release): a partial gang may be unblocked, or blocked for good.
    pub(crate) fn deadlock_on_release(&mut self) {
        if self.rec.detect_deadlocks && !self.store.partial_gangs.is_empty() || self.rec.deadlock.since.is_some() {
            self.schedule_deadlock_check();
        }
    }

    /// End-of-instant check: start or end a deadlock episode.
    pub(crate) fn deadlock_check(&mut self) {
        self.rec.deadlock.check_scheduled = false;
        let now = self.now();
        let dead = self.is_deadlocked();
        match (dead, self.rec.deadlock.since) {
            (true, None) => {
                self.rec.gpu.advance(now);
                self.rec.gpu.deadlocked = true;
                self.rec.deadlock.since = Some(now);
                self.rec.deadlock.episodes += 1;
                let detail = self.deadlock_detail();
                self.event(|| "cluster".to_string(), "DeadlockStart", || detail);
            }
            (false, Some(since)) => {
                self.rec.gpu.advance(now);
                self.rec.gpu.deadlocked = false;
                self.rec.deadlock.since = None;
                self.rec.deadlock.total_ms += now.since(since);
                self.event(|| "cluster".to_string(), "DeadlockEnd", String::new);
            }
            _ => {}
        }
    }

    /// Close an episode still open at the end of the run.
    pub(crate) fn deadlock_finish(&mut self, end: SimTime) {
        if !self.rec.detect_deadlocks {
            return;
        }
        self.rec.deadlock.check_scheduled = false;
        self.deadlock_check();
        if let Some(since) = self.rec.deadlock.since.take() {
            self.rec.deadlock.total_ms += end.since(since);
        }
    }

    pub(crate) fn deadlock_detail(&self) -> String {
        let parts: Vec<String> = self
            .store
            .partial_gangs
            .iter()
            .map(|&g| {
                let gang = &self.store.gangs[g as usize];
                format!("{} holds {}/{}", gang.object, gang.holding, gang.min_member)
            })
            .collect();
        parts.join("; ")
    }

    /// Is the cluster deadlocked now (see the module doc)?
    pub fn is_deadlocked(&self) -> bool {
        if self.store.partial_gangs.is_empty() {
            return false;
        }
        // What each partial gang lacks (a gang with no member to take a shape from lacks
        // what nothing can place).
        let wants: Vec<Vec<ClassId>> = self
            .store
            .partial_gangs
            .iter()
            .filter_map(|&g| self.gang_wants(g))
            .collect();
        // A gang whose lacking members fit in what is free now could complete (what is free
        // now is within what the exact check below frees): the common case, in O(states).
        if wants.iter().any(|w| self.fits_now(w)) {
            return false;
        }
        // Free capacity if every pod that does work, or is being deleted, released what it
        // holds: allocatable minus what the partial gangs' holding members keep.
        let mut free: Vec<Res> = self.store.cluster.nodes.iter().map(|n| n.alloc).collect();
        for &g in &self.store.partial_gangs {
            for &m in &self.store.gangs[g as usize].members {
                let p = &self.store.pods[m as usize];
                if let Some(n) = p.node
                    && p.finished.is_none()
                    && p.deletion.is_none()
                {
                    free[n as usize].sub(&self.store.classes[p.class as usize].req);
                }
            }
        }
        let classes = &self.store.classes;
        !wants.iter().any(|wanted| {
            place_count(&self.store.cluster.nodes, &free, wanted, |c: ClassId| {
                let c = &classes[c as usize];
                (&c.req, &c.constraints)
            }) == wanted.len()
        })
    }

    /// Members of one shape without node constraints (`gang_wants`) fit in the nodes' free
    /// capacity now.
    fn fits_now(&self, wanted: &[ClassId]) -> bool {
        let Some(&first) = wanted.first() else { return false };
        let class = &self.store.classes[first as usize];
        let c = &class.constraints;
        if wanted.iter().any(|&w| w != first) || !c.node_selector.is_empty() || !c.affinity_terms.is_empty() {
            return false;
        }
        self.store
            .cluster
            .free_slots_unfiltered(&class.req)
            .is_some_and(|slots| slots >= wanted.len())
    }

    /// The classes of the members gang `g` lacks: its pending members', then, for members
    /// not created yet, its first member's shape (None: it has no member to take it from).
    fn gang_wants(&self, g: GangId) -> Option<Vec<ClassId>> {
        let gang = &self.store.gangs[g as usize];
        let lacking = (gang.min_member - gang.holding) as usize;
        let mut wanted: Vec<ClassId> = gang
            .members
            .iter()
            .filter(|&&m| {
                let p = &self.store.pods[m as usize];
                p.node.is_none() && p.finished.is_none() && p.deletion.is_none()
            })
            .map(|&m| self.store.pods[m as usize].class)
            .take(lacking)
            .collect();
        let stand_in = gang.member_class.or(wanted.first().copied())?;
        while wanted.len() < lacking {
            wanted.push(stand_in);
        }
        Some(wanted)
    }
}
