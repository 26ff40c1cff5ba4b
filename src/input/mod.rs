//! What comes in: scenario files ([`scenario`]) and traces ([`trace`]), validated into the
//! plain data of [`spec`]; the Kubernetes value syntaxes they use ([`quantity`], [`resources`],
//! [`cron`]); scenarios built in code ([`synth`]).

pub mod cron;
pub mod quantity;
pub mod resources;
pub mod scenario;
pub mod spec;
pub mod synth;
pub mod trace;
