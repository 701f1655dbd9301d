"""NGSI-LD's own errors (ProblemDetails, RFC 7807, with the ETSI error type URIs)."""

from __future__ import annotations

from typing import Any

ERROR_BASE = "https://uri.etsi.org/ngsi-ld/errors/"
STATUS = {
    "BadRequestData": 400,
    "InvalidRequest": 400,
    "ResourceNotFound": 404,
    "OperationNotSupported": 501,
    "TooManyResults": 403,
}
# HTTP's own refusals, which NGSI-LD gives no error type: RFC 7807's "about:blank" (the problem
# is what the status code says)
HTTP_ONLY = {"Unauthorized": 401, "Forbidden": 403}


class NgsiLdProblem(Exception):
    """An answer in NGSI-LD's error format: `kind` is the ETSI error name (BadRequestData,
    ResourceNotFound, …), `title` a short summary, `detail` what exactly was wrong."""

    def __init__(self, kind: str, title: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.title = title
        self.detail = detail

    @property
    def status(self) -> int:
        return STATUS.get(self.kind) or HTTP_ONLY[self.kind]

    def body(self) -> dict[str, Any]:
        kind = "about:blank" if self.kind in HTTP_ONLY else ERROR_BASE + self.kind
        return {"type": kind, "title": self.title, "detail": self.detail}


def bad_request(detail: str, title: str = "Bad request data") -> NgsiLdProblem:
    return NgsiLdProblem("BadRequestData", title, detail)


def not_found(detail: str) -> NgsiLdProblem:
    return NgsiLdProblem("ResourceNotFound", "Entity not found", detail)
