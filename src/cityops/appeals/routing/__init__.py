"""Smart routing (智能分拨): a text classifier that learns from past appeals which first-level
category a new one belongs to, with calibrated top-k probabilities and word-level explanations.

Owns: reading labelled CSVs (dataset), features and training (model), evaluation and leak-free
cross-validation (evaluation), model versions on disk (store) and the `Router`; at intake
(受理), the rule that dispatches a confident citizen appeal by itself or queues it with the
suggestions (dispatch_rule), the service `platform.routing` (service), the after-commit
handlers that decide and that learn from dispatchers' corrections (handlers) and their records
(decisions).
Does not own: mapping a category to a department (the responsibility list in cases) or the
workflow steps themselves (the case engine's register and dispatch).

The package imports nothing itself, and `public.py` nothing of the model: scikit-learn is loaded
when a model is (`RoutingService` on first use), not by everything that imports routing."""
