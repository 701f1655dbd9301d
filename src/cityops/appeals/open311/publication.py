"""What the public Open311 feed shows of a case, decided per case source (案件来源) and declared
here as data: every public read (GET requests — by window and by service_request_id — GET
requests/<id>, servicerequestupdates) reads its cases through `PUBLISHED_SOURCES` (a filter in
SQL) and shapes each one through `POLICY`. docs/adr/0006-open311-publication-policy.md says why.

- Citizen appeals (12345 hotline, the portal — source web —, Open311 itself) are published: the
  citizen asked the city in public's name, and the feed is how anyone follows the city's answer.
  Their point is rounded to 3 decimals (about 100 m): an appeal is often about one's own home or
  doorway, and the feed is readable by anyone.
- Inspector patrol reports (监督员/网格员), sensor alarms (物联感知) and cases transferred from the
  higher-level platform (上级转办, published there) are the city's internal work: not published.
- Photos: a reporter's photos are never published (the portal promises that only the holder of
  the tracking code and the staff on the case know a photo's address). For a source with
  `result_photos`, the photos of the result steps (RESULT_STEPS: 办结反馈, 自行处置 — the city's
  own pictures of the work done) are, as absolute URLs of the platform's media (kernel.media);
  any other stored value is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.cases.public import CaseSource
from cityops.kernel.media import is_media_reference, media_url

# The city's own result steps: 办结反馈 (the unit's finish) and 自行处置 (handled on the spot).
RESULT_STEPS = frozenset({"finish", "self_handle"})


@dataclass(frozen=True)
class Publication:
    """How the feed shows the cases of one source."""

    published: bool
    # the point rounded to this many decimals of a degree (3: about 100 m); None: as stored
    point_decimals: int | None = None
    # the photos of its RESULT_STEPS are published; a reporter's photos never are
    result_photos: bool = False


CITIZEN_APPEAL = Publication(published=True, point_decimals=3, result_photos=True)
INTERNAL = Publication(published=False)

# Every source has an entry (a test checks it): a new source is published only once decided.
POLICY: Mapping[CaseSource, Publication] = {
    CaseSource.hotline: CITIZEN_APPEAL,
    CaseSource.web: CITIZEN_APPEAL,
    CaseSource.open311: CITIZEN_APPEAL,
    CaseSource.inspector: INTERNAL,
    CaseSource.sensor: INTERNAL,
    CaseSource.transfer: INTERNAL,
}

PUBLISHED_SOURCES: tuple[CaseSource, ...] = tuple(s for s in CaseSource if POLICY[s].published)


def policy_of(source: CaseSource) -> Publication:
    return POLICY.get(source, INTERNAL)


def published_point(
    source: CaseSource, lat: float | None, lon: float | None
) -> tuple[float | None, float | None]:
    """(lat, long) as the feed shows them for a case of `source`."""
    decimals = policy_of(source).point_decimals
    if lat is None or lon is None or decimals is None:
        return lat, lon
    return round(lat, decimals), round(lon, decimals)


def request_photo(source: CaseSource, first_result_photo: str) -> str:
    """The stored-media reference a request of `source` publishes ('' for none): the first
    attachment of its result steps (read for many cases at once), for a source with
    result_photos, if it is one of the platform's own stored photos (kernel.media)."""
    if not policy_of(source).result_photos or not is_media_reference(first_result_photo):
        return ""
    return first_result_photo


def published_photo(source: CaseSource, action: str, attachments: tuple[str, ...]) -> str:
    """The stored-media reference a step of a case of `source` publishes ('' for none): its
    first attachment if the step is a result step (see request_photo)."""
    if action not in RESULT_STEPS or not attachments:
        return ""
    return request_photo(source, attachments[0])


def absolute_media_url(ref: str, base_url: str) -> str:
    """A published photo as an absolute URL on the server at `base_url` (the configured public
    address); '' for anything that is not a stored-media reference."""
    return media_url(ref, base_url)
