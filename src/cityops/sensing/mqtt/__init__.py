"""MQTT telemetry: the topic scheme, the ingest worker on a shared subscription (QoS 1,
acknowledged after COMMIT), and the broker's device credentials (Mosquitto password and ACL
files).

Owns: reading devices' MQTT messages into `Ingestion` and acknowledging them. Does not own: the
broker (Mosquitto, EMQX: run beside the platform), judging payloads or storing points (ingest.py,
writer.py). Entered through `public.py`; docs/sensing/ingestion.md has the whole picture.
"""
