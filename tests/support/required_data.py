"""../shared/data, the real data from outside the repository. On a developer's machine without it,
the tests that need it skip; where it must be present (CI, or CITYOPS_REQUIRE_DATA=1) its absence
fails them, so a broken checkout cannot pass by skipping a hundred tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
_NO = {"", "0", "false", "no"}


def data_required(env: Mapping[str, str]) -> bool:
    """Whether a missing data directory is a failure: in CI (`CI` set, as CI services do) or
    when CITYOPS_REQUIRE_DATA is set, unless either says 0/false/no."""
    return any(
        env.get(name, "").strip().lower() not in _NO for name in ("CI", "CITYOPS_REQUIRE_DATA")
    )


def require_shared_data(path: Path, env: Mapping[str, str]) -> Path:
    """`path` when it is a directory; else skip the test, or fail it where the data is required."""
    if path.is_dir():
        return path
    if data_required(env):
        pytest.fail(
            f"{path} is not present, and it is required here (CI or CITYOPS_REQUIRE_DATA)",
            pytrace=False,
        )
    pytest.skip(f"{path} is not present")
