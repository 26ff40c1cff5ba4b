//! The controllers that move the model as Kubernetes' do: the kubelet's share of the pod
//! lifecycle ([`kubelet`]), workload arrivals ([`arrivals`]), the Job controller ([`job`]), the JobSet
//! controller ([`jobset`]), the Volcano job controller ([`volcano_job`]), the CronJob controller ([`cronjob`]), the ReplicaSet, Deployment and StatefulSet
//! controllers ([`serving`]), the LeaderWorkerSet controller ([`lws`]), the node
//! lifecycle controller and scripted faults ([`node_lifecycle`]), quota and limit-range
//! admission ([`quota`], with its rules in [`quota_rules`]), and trace replay ([`replay`]).

pub mod arrivals;
pub mod cronjob;
pub mod job;
pub mod jobset;
pub mod kubeflow;
pub mod kubelet;
pub mod lws;
pub mod mpijob;
pub mod node_lifecycle;
pub mod quota;
pub mod quota_rules;
pub mod ray;
pub mod replay;
pub mod serving;
pub mod volcano_job;
