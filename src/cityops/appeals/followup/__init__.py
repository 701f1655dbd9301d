"""Follow-up visits (回访) and the 三率 of 接诉即办.

The visit record is the case engine's `evaluate` action (contacted? resolved? satisfaction). Each
committed `CaseEvaluated` event is copied, with the case's department, place, urgency and times,
into one row of `followup_visits` (a read model, idempotent on the event id). The 三率 —
响应率, 解决率, 满意率 — and their weighted composite are computed from those rows per
department or street and month (`rates.py` holds the formulas, `service.py` the use case)."""
