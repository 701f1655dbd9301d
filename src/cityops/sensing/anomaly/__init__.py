"""sensing.anomaly: anomaly detection beyond thresholds (异常检测).

Owns four streaming detectors over `Reading`s — spikes (robust z-score over a rolling window),
stuck-at values, drift from the device's own hour-of-week baseline and disagreement with the
neighbours within a radius — their typed `Anomaly` records, the labelled-CSV evaluation behind
`cityops sensing anomalies eval`, and the injector that plants labelled anomalies into real
series. Does not own alarms, rules or storage: a caller turns anomalies into alarms. Every
detector keeps bounded state per (device, metric), so the live pipeline can feed readings one by
one; the same code runs over a whole series for evaluation and backtests. Others import only
`cityops.sensing.anomaly.public`.
"""
