"""Static files under /static with versioned URLs, so a browser keeps them for a year and still
never runs a stale one.

A page names a file through `static_url("css/portal.css")` → `/static/css/portal.css?v=<hash>`,
the hash being the first 12 hex digits of the file's SHA-256: a changed file gets a new URL. A
request carrying `?v=` is answered with `Cache-Control: public, max-age=31536000, immutable`;
one without it (an old link, a hand-typed URL) with `no-cache`, so the browser asks again each
time (an ETag makes that answer a 304 when nothing changed).

The ES modules import one another by plain relative paths ("../dom.js"). `module_head(entry)`
writes, for a page's entry module, an import map that sends every module URL of the static tree
to its versioned URL, and a `modulepreload` link for each module the entry reaches (its static
imports, followed through), so the browser fetches the whole graph at once instead of one
import level per round trip — on a phone link with 400 ms of latency that waterfall was seconds.
Hashes and graphs are computed once per file version (keyed by modification time and size)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_IMPORT = re.compile(
    r"""(?:^|[;\s])(?:import|export)\s(?:[^;'"`]*?\sfrom\s*)?["']([^"']+\.m?js)["']""",
    re.MULTILINE,
)


class Assets:
    """The files of one static directory, served at `prefix`."""

    def __init__(
        self,
        root: Path,
        prefix: str = "/static",
        module_dirs: tuple[str, ...] = ("js", "vendor/leaflet"),
    ) -> None:
        self.root = root.resolve()
        self.prefix = prefix.rstrip("/")
        self.module_dirs = module_dirs  # where the import map looks for modules

    def _file(self, rel: str) -> Path:
        path = (self.root / rel).resolve()
        if self.root not in path.parents or not path.is_file():
            raise FileNotFoundError(f"no static file {rel!r} under {self.root}")
        return path

    def version(self, rel: str) -> str:
        """The first 12 hex digits of the file's SHA-256."""
        path = self._file(rel)
        stat = path.stat()
        return _digest(path, stat.st_mtime_ns, stat.st_size)

    def url(self, rel: str) -> str:
        """`/static/<rel>?v=<hash>` (the plain URL for a file that is not there, so a page
        naming one still renders and the request answers 404)."""
        rel = rel.lstrip("/")
        try:
            return f"{self.prefix}/{rel}?v={self.version(rel)}"
        except FileNotFoundError:
            return f"{self.prefix}/{rel}"

    def _imports(self, rel: str) -> tuple[str, ...]:
        try:
            path = self._file(rel)
        except FileNotFoundError:
            return ()
        stat = path.stat()
        return _static_imports(path, stat.st_mtime_ns, stat.st_size, self.root, self.prefix)

    def module_graph(self, entry: str) -> list[str]:
        """`entry` and every module it imports statically, followed through (paths relative
        to the static root, the entry first)."""
        seen: list[str] = []
        todo = [entry.lstrip("/")]
        while todo:
            rel = todo.pop(0)
            if rel in seen:
                continue
            seen.append(rel)
            todo.extend(r for r in self._imports(rel) if r not in seen)
        return seen

    def import_map(self) -> dict[str, dict[str, str]]:
        """Every .js file of the module folders: its plain URL → its versioned URL."""
        files = sorted(p for d in self.module_dirs for p in (self.root / d).rglob("*.js"))
        imports = {}
        for path in files:
            rel = path.relative_to(self.root).as_posix()
            imports[f"{self.prefix}/{rel}"] = self.url(rel)
        return {"imports": imports}

    def module_head(self, entry: str) -> Markup:
        """The import map and the modulepreload links for a page whose script is `entry`."""
        mapping = json.dumps(self.import_map(), separators=(",", ":")).replace("</", "<\\/")
        lines = [f'<script type="importmap">{mapping}</script>']
        lines += [
            f'<link rel="modulepreload" href="{self.url(rel)}">' for rel in self.module_graph(entry)
        ]
        # the JSON names only this tree's files and has "</" escaped; the URLs are our own
        return Markup("\n  ".join(lines))  # noqa: S704


@cache
def _digest(path: Path, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@cache
def _static_imports(
    path: Path, _mtime_ns: int, _size: int, root: Path, prefix: str
) -> tuple[str, ...]:
    """The static tree's modules that `path` imports (relative and /static/ paths)."""
    text = path.read_text("utf-8")
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    text = re.sub(r"^\s*//.*$", " ", text, flags=re.MULTILINE)
    here = PurePosixPath(path.relative_to(root).as_posix()).parent
    out: list[str] = []
    for spec in _IMPORT.findall(text):
        if spec.startswith(prefix + "/"):
            rel = spec[len(prefix) + 1 :]
        elif spec.startswith("."):
            parts: list[str] = []
            for part in (here / spec).parts:
                if part == "..":
                    if parts:
                        parts.pop()
                elif part != ".":
                    parts.append(part)
            rel = "/".join(parts)
        else:
            continue
        if (root / rel).is_file():
            out.append(rel)
    return tuple(out)


class VersionedStaticFiles(StaticFiles):
    """StaticFiles with the cache header its URL calls for: a year, immutable, for a request
    whose `?v=` is the file's current version (a URL from Assets.url); `no-cache` (ask again,
    304 when unchanged) otherwise, a stale version included."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        query = scope.get("query_string", b"").decode("latin-1")
        asked = [part[2:] for part in query.split("&") if part.startswith("v=")]
        current = _digest(Path(full_path), stat_result.st_mtime_ns, stat_result.st_size)
        response.headers["Cache-Control"] = IMMUTABLE if asked == [current] else REVALIDATE
        return response


def install_assets(app: FastAPI, templates: Jinja2Templates, static_dir: Path) -> Assets:
    """Serve `static_dir` at /static with the cache headers above and give the templates
    `static_url(path)` and `module_head(entry)`."""
    assets = Assets(static_dir)
    app.mount("/static", VersionedStaticFiles(directory=static_dir), name="static")
    templates.env.globals["static_url"] = assets.url
    templates.env.globals["module_head"] = assets.module_head
    return assets
