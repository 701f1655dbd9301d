"""alarm_cases: the bridge from sensor alarms to cases (告警转案件).

Owns: when an alarm becomes a case (the rule's case policy and its delay; a device fault — offline,
stuck, battery low — a maintenance case dispatched to the device's O&M unit), the case's text
(the alarm's link, values and a snapshot of its last readings) and the way back (the case's
status shown on the alarm; a closed case marks the alarm handled). It sits above both sensing
and cases, so neither imports the other. Does not own: alarms (sensing) or cases (the engine).
"""
