"""Open311 GeoReport v2 at /open311/v2: the city's case loop seen through the published standard.

Owns the mapping from the taxonomy to Open311 services and from cases to service requests
(open/closed plus the richer FixMyStreet-style states and per-step updates), the XML and JSON
shapes of the spec, and the api keys (`open311_api_keys`) that let integrated systems submit
requests. It creates cases only through `cases.public` (source `open311`, an integration actor)
and never returns a reporter's name, phone or e-mail; which cases its public reads show, at
what precision and with which photos, is its publication policy (publication.py, per case
source). It owns no workflow of its own.
"""
