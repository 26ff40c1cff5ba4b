//! Invariants checked after every event when `check_invariants` is on (tests and
//! `--check`): node usage equals the sum of its bound pods, queue allocations, gang counts, and
//! the policy's own invariants.

use crate::model::cluster;

use crate::sim::{Phase, World};
use cluster::Res;

impl World {
    pub(crate) fn check(&self) {
        let mut requested = vec![Res::default(); self.store.cluster.nodes.len()];
        let mut queue_held = vec![Res::default(); self.store.queue_alloc.len()];
        let (mut held, mut busy) = (0i64, 0i64);
        for (id, p) in self.store.pods.iter() {
            let req = self.store.classes[p.class as usize].req;
            match (p.finished, p.node) {
                (None, Some(n)) => {
                    requested[n as usize].add(&req);
                    held += req.gpu_milli();
                    assert!(
                        p.phase == Phase::Running || p.waiting || p.binding || self.node_is_down(n),
                        "bound live pod {} not Running",
                        self.store.pod_name(id)
                    );
                    queue_held[self.store.protos[self.store.workloads[p.wl as usize].proto as usize].queue as usize]
                        .add(&req);
                    if p.working {
                        busy += req.gpu_milli();
                    }
                }
                (None, None) => {
                    assert_eq!(
                        p.phase,
                        Phase::Pending,
                        "unbound live pod {} not Pending",
                        self.store.pod_name(id)
                    );
                    // A pod younger than the watch delay has not reached the scheduler yet (at
                    // exactly the delay, pods created together are seen one event at a time).
                    let unseen = self.now().ms() <= p.created.ms() + self.cfg.lat.watch_ms;
                    assert!(
                        unseen || self.sched.queues(id),
                        "pending pod {} in no scheduling queue",
                        self.store.pod_name(id)
                    );
                }
                (Some(_), _) => {
                    assert!(
                        matches!(p.phase, Phase::Succeeded | Phase::Failed),
                        "terminal pod {} phase",
                        self.store.pod_name(id)
                    );
                    assert!(
                        !self.sched.queues(id),
                        "terminal pod {} still queued",
                        self.store.pod_name(id)
                    );
                }
            }
        }
        for (i, n) in self.store.cluster.nodes.iter().enumerate() {
            assert_eq!(
                n.requested, requested[i],
                "node {} requested != sum of its pods",
                n.name
            );
            assert!(n.requested.fits_in(&n.alloc), "node {} over capacity", n.name);
        }
        assert_eq!(self.rec.gpu.held_milli(), held, "held GPU level");
        assert_eq!(self.store.queue_alloc, queue_held, "per-queue allocated resources");
        self.policy_check();
        assert_eq!(self.rec.gpu.busy_milli(), busy, "busy GPU level");
    }
}
