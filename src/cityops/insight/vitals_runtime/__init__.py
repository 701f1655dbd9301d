"""The runtime of city vital signs (城市体征): what makes the pure core (insight/vitals/) run.

Owns: the stored definition sets, values, states and transitions of the indicators (store.py),
the readers of each source kind over the public faces of cases, appeals, sensing and geo
(sources.py), the evaluation of due indicators with catch-up and firing actions (runtime.py),
the read models of the board, drill-down and trend (model.py, reads.py) and the use cases
(service.py). Does not own: the definitions, the formula language or the state machine (the pure
core), HTTP (web/api/vitals.py).
"""
