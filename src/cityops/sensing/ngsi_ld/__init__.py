"""NGSI-LD (ETSI GS CIM 009) over the sensing data: each device with its latest values as a
Smart Data Models entity, the entity query subset, and the temporal API (raw instances and the
aggregated representation, from the rollups where a period matches them). Read-only: it owns
no table and writes nothing. Entered through its own `public.py`."""
