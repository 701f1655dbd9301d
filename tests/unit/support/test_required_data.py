"""A missing ../shared/data skips a test on a developer's machine and fails it in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from required_data import require_shared_data


def test_present_data_is_returned(tmp_path: Path) -> None:
    assert require_shared_data(tmp_path, {"CI": "true"}) == tmp_path


@pytest.mark.parametrize("env", [{}, {"CI": ""}, {"CI": "false"}, {"CITYOPS_REQUIRE_DATA": "0"}])
def test_missing_data_skips_where_not_required(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(pytest.skip.Exception, match="is not present"):
        require_shared_data(tmp_path / "absent", env)


@pytest.mark.parametrize(
    "env",
    [
        {"CI": "true"},
        {"CI": "1"},
        {"CITYOPS_REQUIRE_DATA": "1"},
        {"CI": "0", "CITYOPS_REQUIRE_DATA": "yes"},
    ],
)
def test_missing_data_fails_in_ci(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(pytest.fail.Exception, match="required here"):
        require_shared_data(tmp_path / "absent", env)


def test_the_shared_data_fixture_fails_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `shared_data` fixture of tests/conftest.py goes through the helper: a test using it
    fails, not skips, when the directory is absent and CI is set."""
    conftest = Path(__file__).resolve().parents[2] / "conftest.py"
    source = conftest.read_text(encoding="utf-8")
    call = "require_shared_data(DATA_DIR, os.environ)"
    assert call in source
    pytester.makeconftest(source.replace(call, call.replace("DATA_DIR", "DATA_DIR / 'absent'")))
    pytester.makepyfile("def test_needs_data(shared_data):\n    pass\n")
    monkeypatch.setenv("CI", "true")
    pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(errors=1)
    monkeypatch.setenv("CI", "false")
    pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(skipped=1)
