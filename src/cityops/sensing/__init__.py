"""sensing: the city's sensors and smart facilities (物联感知, 智能设施运维).

Owns: device types and their metric specs, devices and their credentials, telemetry ingestion
(HTTP, MQTT, HJ 212), the time-series store with its rollups and retention, rules, anomaly
detection and alarms with their convergence, and device health. Does not own: cases — an alarm
that needs people becomes a case through an event that a layer above both turns into a case;
the case engine never imports sensing. Areas come from geo (point → area chain) and units from
org, through their public faces.
"""
