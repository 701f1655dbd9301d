"""The case workflow, declared: one ActionSpec per action (roles, statuses and guard, target,
input body, effect, history data, events, console form) in `registry.WORKFLOW`. The modules
group the actions by stage: triage, handling, timing, closing; `types` says which cases follow
which workflow (the case types a platform is configured with)."""
