"""The hotline operator console (热线受理台): one screen for a call in progress. Looks up the
caller's earlier appeals by phone; while the operator types, suggests category and unit (smart
routing), similar open cases nearby (duplicates) and knowledge-base answers in one round trip;
then takes the call in one transaction — record it (受理), register and dispatch it at once
(直派), answer a consultation on the spot (直接办结), or merge a repeat call into the open case.

Owns the flow and its rules (`model`, `policy`, `service`). Does not own the case workflow
(cases), the articles (appeals.knowledge), the suggestions (appeals.routing, appeals.duplicates)
or the citizen's notifications (appeals.notify)."""
