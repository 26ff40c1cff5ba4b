//! kube-scheduler's scheduling queue (SCH-Q1..Q5): activeQ, backoffQ and unschedulablePods as
//! per-class queues of pods, the moves between them on cluster events (QueueingHints), the backoff
//! and the periodic flushes (backoffQ every second, unschedulablePods after 5 minutes).

use super::{EKey, Loc, Member, QKey, key};
use crate::engine::SimTime;
use crate::sim::{ClassId, Ev, Phase, PodId, World, class};

impl World {
    pub(crate) fn kick(&mut self) {
        if !self.sched.kube.cycle_scheduled {
            self.sched.kube.cycle_scheduled = true;
            let now = self.now();
            self.engine.schedule(now, class::SCHED_CYCLE, Ev::SchedCycle);
        }
    }

    /// A new pod enters the queue (or bypasses it with `spec.nodeName`).
    pub(crate) fn sched_add(&mut self, pod: PodId) {
        let c = self.store.pods[pod as usize].class;
        if let Some(name) = self.store.classes[c as usize].node_name.clone() {
            // spec.nodeName bypasses the scheduler: the kubelet admits the pod if it fits.
            if let Some(&n) = self.store.node_by_name.get(&name)
                && self.store.cluster.nodes[n as usize].present
            {
                let req = self.store.classes[c as usize].req;
                if req.fits_in(&self.store.cluster.nodes[n as usize].free()) {
                    self.bind(pod, n);
                } else {
                    self.pod_terminal(pod, Phase::Failed, 0, "OutOfResources");
                }
            }
            return;
        }
        let now = self.now();
        let prio = self.store.classes[c as usize].priority;
        let st = &mut self.sched.kube.pods[pod as usize];
        st.ts = now;
        st.loc = Loc::Active;
        self.sched.kube.active.insert(key(prio, now, pod));
        self.kick();
    }

    /// A pending pod leaves the queue (deleted before binding).
    pub(crate) fn sched_remove(&mut self, pod: PodId) {
        let c = self.store.pods[pod as usize].class as usize;
        let prio = self.store.classes[c].priority;
        let st = self.sched.kube.pods[pod as usize].clone();
        match st.loc {
            Loc::None => {}
            Loc::Active => {
                self.sched.kube.active.remove(&key(prio, st.ts, pod));
            }
            Loc::Backoff => {
                let expiry = self.backoff_expiry(pod);
                self.sched.kube.backoff.remove(&(expiry, key(prio, st.ts, pod)));
            }
            Loc::Unschedulable => self.class_take(c as ClassId, pod),
            Loc::Nominated => {
                self.sched.kube.nominated.remove(&pod);
            }
            Loc::GangWait => {
                self.sched.kube.gang_wait.remove(&pod);
            }
        }
        self.clear_nomination(pod);
        self.sched.kube.pods[pod as usize].loc = Loc::None;
    }

    /// A member's attempts, timestamp and backoff expiry (see `Member`).
    pub(crate) fn member_state(&self, c: ClassId, m: &Member) -> (u32, SimTime, SimTime) {
        let q = &self.sched.kube.classes[c as usize];
        let attempts = m.base + (q.rounds - m.join_round);
        let ts = if m.join_round < q.rounds {
            q.refresh_ts.max(m.ts)
        } else {
            m.ts
        };
        let d = crate::sim::backoff_ms(
            self.cfg.lat.pod_initial_backoff_ms,
            self.cfg.lat.pod_max_backoff_ms,
            attempts,
        );
        (attempts, ts, ts.plus_ms(d))
    }

    /// The queue entry of a cohort headed by member `pod`.
    pub(crate) fn cohort_key(&self, c: ClassId, pod: PodId, m: &Member) -> EKey {
        let (_, ts, expiry) = self.member_state(c, m);
        let prio = self.store.classes[c as usize].priority;
        if expiry <= self.now() {
            (0, SimTime::ZERO, key(prio, ts, pod), c)
        } else {
            // backoffQ windows are whole seconds (SchedulerPopFromBackoffQ).
            (1, SimTime(expiry.ms() / 1000 * 1000), key(prio, ts, pod), c)
        }
    }

    /// Drop a class's queued cohorts (it is no longer requeued).
    pub(crate) fn unqueue_class(&mut self, c: ClassId) {
        for e in std::mem::take(&mut self.sched.kube.classes[c as usize].entries) {
            self.sched.kube.requeued.remove(&e);
        }
    }

    /// Take a waiting member out of its class (it leaves the queue or is attempted), carrying
    /// its attempts and timestamp back to the pod.
    pub(crate) fn class_take(&mut self, c: ClassId, pod: PodId) {
        let Some(m) = self.sched.kube.classes[c as usize].waiting.get(&pod).copied() else {
            return;
        };
        let (attempts, ts, _) = self.member_state(c, &m);
        // If the pod heads a queued cohort, its class-mates of the same cohort take its place.
        let entry = self.sched.kube.classes[c as usize]
            .entries
            .iter()
            .position(|e| e.2.2 == pod);
        self.sched.kube.classes[c as usize].waiting.remove(&pod);
        if let Some(i) = entry {
            let old = self.sched.kube.classes[c as usize].entries[i];
            self.sched.kube.requeued.remove(&old);
            let next = self.sched.kube.classes[c as usize]
                .waiting
                .range(pod + 1..)
                .next()
                .map(|(p, m)| (*p, *m));
            // The next member in creation order continues the walk, unless it heads a cohort
            // of its own already: every waiting member is reached in one requeue.
            let replacement = next
                .filter(|(np, _)| !self.sched.kube.classes[c as usize].entries.iter().any(|e| e.2.2 == *np))
                .map(|(np, nm)| self.cohort_key(c, np, &nm));
            match replacement {
                Some(k) => {
                    self.sched.kube.classes[c as usize].entries[i] = k;
                    self.sched.kube.requeued.insert(k);
                }
                None => {
                    self.sched.kube.classes[c as usize].entries.remove(i);
                }
            }
        }
        let st = &mut self.sched.kube.pods[pod as usize];
        st.attempts = attempts;
        st.ts = ts;
        if self.sched.kube.classes[c as usize].waiting.is_empty() {
            self.sched.kube.waiting_classes.remove(&c);
            self.unqueue_class(c);
        }
    }

    /// Add a pod that just failed to its class's waiting members.
    pub(crate) fn class_join(&mut self, c: ClassId, pod: PodId) {
        let now = self.now();
        let q = &mut self.sched.kube.classes[c as usize];
        let m = Member {
            join_round: q.rounds,
            base: self.sched.kube.pods[pod as usize].attempts,
            ts: now,
        };
        q.waiting.insert(pod, m);
        self.sched.kube.pods[pod as usize].loc = Loc::Unschedulable;
        self.sched.kube.waiting_classes.insert(c);
    }

    pub(crate) fn clear_nomination(&mut self, pod: PodId) {
        if let Some(n) = self.store.pods[pod as usize].nominated.take() {
            self.sched.kube.unnominate(n, pod);
            // The reservation is gone: pods it kept out may fit now.
            self.store.cluster.generation += 1;
            self.requeue_waiting(true);
        }
    }

    /// Capacity was released (a pod became terminal or was deleted from a node).
    pub(crate) fn sched_on_release(&mut self) {
        self.requeue_waiting(true);
    }

    /// A node joined or changed: every waiting pod may fit now.
    pub(crate) fn sched_on_node_change(&mut self) {
        self.sched.kube.node_generation += 1;
        self.sched.kube.resize_nodes(self.store.cluster.nodes.len());
        self.requeue_waiting(false);
    }

    /// Move waiting pods back to be attempted (QueueingHints: `only_resources` requeues the
    /// classes whose failure a release of resources may fix).
    pub(crate) fn requeue_waiting(&mut self, only_resources: bool) {
        let classes: Vec<ClassId> = self.sched.kube.waiting_classes.iter().copied().collect();
        for c in classes {
            if only_resources && !self.sched.kube.classes[c as usize].resources_rejected {
                continue;
            }
            self.requeue_class(c);
        }
        let noms: Vec<PodId> = std::mem::take(&mut self.sched.kube.nominated).into_iter().collect();
        for pod in noms {
            self.sched.kube.pods[pod as usize].loc = Loc::None;
            self.requeue_pod(pod);
        }
        if !self.sched.kube.requeued.is_empty() || !self.sched.kube.active.is_empty() {
            self.kick();
        }
    }

    pub(crate) fn requeue_class(&mut self, c: ClassId) {
        if self.cfg.lat.pop_from_backoff_q {
            if !self.sched.kube.classes[c as usize].entries.is_empty() {
                return;
            }
            // Cohorts: runs of members with the same timestamp and backoff expiry. Members that
            // joined before the last few rounds all share the capped backoff, so walking from the
            // newest back stops early.
            let members: Vec<(PodId, Member)> = {
                let q = &self.sched.kube.classes[c as usize];
                let mut tail = Vec::new();
                for (p, m) in q.waiting.iter().rev() {
                    let settled = m.join_round + 8 <= q.rounds && m.base >= 1;
                    tail.push((*p, *m));
                    if settled {
                        break;
                    }
                }
                tail.reverse();
                if let Some((first, m)) = q.waiting.iter().next()
                    && tail.first().is_none_or(|(p, _)| p != first)
                {
                    tail.insert(0, (*first, *m));
                }
                tail
            };
            let mut entries: Vec<EKey> = Vec::new();
            for (p, m) in members {
                let k = self.cohort_key(c, p, &m);
                let same = entries
                    .last()
                    .is_some_and(|e| e.0 == k.0 && e.1 == k.1 && e.2.1 == k.2.1);
                if !same {
                    entries.push(k);
                }
            }
            for e in &entries {
                self.sched.kube.requeued.insert(*e);
            }
            self.sched.kube.classes[c as usize].entries = entries;
        } else {
            let members: Vec<PodId> = self.sched.kube.classes[c as usize].waiting.keys().copied().collect();
            for pod in members {
                self.class_take(c, pod);
                self.sched.kube.pods[pod as usize].loc = Loc::None;
                self.requeue_pod(pod);
            }
        }
    }

    pub(crate) fn backoff_expiry(&self, pod: PodId) -> SimTime {
        let st = &self.sched.kube.pods[pod as usize];
        let d = crate::sim::backoff_ms(
            self.cfg.lat.pod_initial_backoff_ms,
            self.cfg.lat.pod_max_backoff_ms,
            st.attempts,
        );
        st.ts.plus_ms(d)
    }

    /// Requeue one pod: to activeQ if its backoff is over (or popFromBackoffQ makes backoff
    /// moot), else to backoffQ (SCH-Q3, Q5).
    pub(crate) fn requeue_pod(&mut self, pod: PodId) {
        let now = self.now();
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let expiry = self.backoff_expiry(pod);
        let ts = self.sched.kube.pods[pod as usize].ts;
        if self.cfg.lat.pop_from_backoff_q || expiry <= now {
            self.sched.kube.pods[pod as usize].loc = Loc::Active;
            self.sched.kube.active.insert(key(prio, ts, pod));
            self.kick();
        } else {
            self.enter_backoff_q(pod, expiry, key(prio, ts, pod));
        }
    }

    /// Put a pod into backoffQ until `expiry`, with the 1 s flush running.
    pub(crate) fn enter_backoff_q(&mut self, pod: PodId, expiry: SimTime, k: QKey) {
        let now = self.now();
        self.sched.kube.pods[pod as usize].loc = Loc::Backoff;
        self.sched.kube.backoff.insert((expiry, k));
        if !self.sched.kube.backoff_flush_scheduled {
            self.sched.kube.backoff_flush_scheduled = true;
            let period = self.cfg.lat.backoff_flush_period_ms.max(1);
            let next = SimTime((now.ms() / period + 1) * period);
            self.engine
                .schedule_daemon(next, class::SCHED_HOUSEKEEPING, Ev::SchedFlushBackoff);
        }
    }

    /// backoffQ -> activeQ for pods whose backoff expired (every second, SCH-Q4).
    pub(crate) fn sched_flush_backoff(&mut self) {
        let now = self.now();
        self.sched.kube.backoff_flush_scheduled = false;
        while let Some(&(expiry, k)) = self.sched.kube.backoff.first() {
            if expiry > now {
                break;
            }
            self.sched.kube.backoff.remove(&(expiry, k));
            let pod = k.2;
            self.sched.kube.pods[pod as usize].loc = Loc::Active;
            self.sched.kube.active.insert(k);
            self.kick();
        }
        if !self.sched.kube.backoff.is_empty() {
            self.sched.kube.backoff_flush_scheduled = true;
            let period = self.cfg.lat.backoff_flush_period_ms.max(1);
            self.engine
                .schedule_daemon(now.plus_ms(period), class::SCHED_HOUSEKEEPING, Ev::SchedFlushBackoff);
        }
    }

    /// The unschedulablePods leftover flush (every 30 s; pods waiting more than 5 min, SCH-Q4).
    pub(crate) fn sched_flush_unschedulable(&mut self) {
        let now = self.now();
        self.sched.kube.unsched_flush_scheduled = false;
        let max_wait = self.cfg.lat.pod_max_in_unschedulable_ms;
        let classes: Vec<ClassId> = self.sched.kube.waiting_classes.iter().copied().collect();
        for c in classes {
            if self.cfg.lat.pop_from_backoff_q {
                let oldest = self.sched.kube.classes[c as usize]
                    .waiting
                    .iter()
                    .next()
                    .map(|(_, m)| self.member_state(c, m).1);
                if oldest.is_some_and(|ts| now.since(ts) > max_wait) {
                    self.requeue_class(c);
                }
            } else {
                let old: Vec<PodId> = self.sched.kube.classes[c as usize]
                    .waiting
                    .iter()
                    .filter(|(_, m)| now.since(self.member_state(c, m).1) > max_wait)
                    .map(|(p, _)| *p)
                    .collect();
                for pod in old {
                    self.class_take(c, pod);
                    self.sched.kube.pods[pod as usize].loc = Loc::None;
                    self.requeue_pod(pod);
                }
            }
        }
        if !self.sched.kube.requeued.is_empty() {
            self.kick();
        }
        self.schedule_unsched_flush();
    }

    pub(crate) fn schedule_unsched_flush(&mut self) {
        if self.sched.kube.unsched_flush_scheduled
            || (self.sched.kube.waiting_classes.is_empty() && self.sched.kube.nominated.is_empty())
        {
            return;
        }
        self.sched.kube.unsched_flush_scheduled = true;
        let period = self.cfg.lat.unschedulable_flush_period_ms.max(1);
        let next = SimTime((self.now().ms() / period + 1) * period);
        self.engine
            .schedule_daemon(next, class::SCHED_HOUSEKEEPING, Ev::SchedFlushUnschedulable);
    }

    /// Put a pod rejected at Permit into backoffQ: it is retried once its backoff expires.
    pub(crate) fn sched_backoff(&mut self, pod: PodId) {
        let now = self.now();
        self.sched.kube.pods[pod as usize].ts = now;
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let expiry = self.backoff_expiry(pod);
        self.enter_backoff_q(pod, expiry, key(prio, now, pod));
    }

    /// Move a waiting pod to activeQ now (coscheduling activates a group's siblings).
    pub(crate) fn sched_activate(&mut self, pod: PodId) {
        match self.sched.kube.pods[pod as usize].loc {
            Loc::Unschedulable => {
                let c = self.store.pods[pod as usize].class;
                self.class_take(c, pod);
            }
            Loc::GangWait => {
                self.sched.kube.gang_wait.remove(&pod);
            }
            // A pod rejected in this very instant waits for the next one: activation would
            // otherwise loop within one instant (real cycles take time).
            Loc::Backoff if self.sched.kube.pods[pod as usize].ts == self.now() => return,
            Loc::Backoff => {
                let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
                let expiry = self.backoff_expiry(pod);
                let ts = self.sched.kube.pods[pod as usize].ts;
                self.sched.kube.backoff.remove(&(expiry, key(prio, ts, pod)));
            }
            _ => return,
        }
        // Activation moves the pod to activeQ whatever its backoff.
        let prio = self.store.classes[self.store.pods[pod as usize].class as usize].priority;
        let ts = self.sched.kube.pods[pod as usize].ts;
        self.sched.kube.pods[pod as usize].loc = Loc::Active;
        self.sched.kube.active.insert(key(prio, ts, pod));
        self.kick();
    }

    /// A new member of a group exists: members waiting for it (PreFilter) are retried.
    pub(crate) fn sched_gang_member_added(&mut self, g: crate::model::gang::GangId) {
        let waiting: Vec<PodId> = self.store.gangs[g as usize]
            .members
            .iter()
            .copied()
            .filter(|&m| self.sched.kube.pods[m as usize].loc == Loc::GangWait)
            .collect();
        for m in waiting {
            self.sched_activate(m);
        }
    }

    pub(crate) fn clear_nomination_quiet(&mut self, pod: PodId) {
        if let Some(n) = self.store.pods[pod as usize].nominated.take() {
            self.sched.kube.unnominate(n, pod);
        }
    }
}
