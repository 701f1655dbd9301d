"""City vital signs (城市体征) of the operation centre (城运中心): the pure core.

Owns: the indicator definitions (definitions.py), their versioned sets (definition_set.py), the
YAML registry (registry.py, serialise.py) and the demo catalogue (catalog.yaml), the formula
language of derived indicators (expression.py), the exact formulas of the air quality index
(aqi.py, HJ 633-2012) and of the traffic performance index (traffic_index.py, DB11/T 785-2011),
and the threshold state machine (states.py).
Does not own: reading values from the database or the bus, storing states, raising alarms or
opening cases — the runtime does that with these pieces. Nothing here does I/O except reading
the shipped catalogue. Others use it through cityops.insight.public.
"""
