"""bench/run_all.py runs every benchmark of bench/, and a short run writes where it is told."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NOT_BENCHMARKS = {"__init__", "_server", "run_all"}


def run_all(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.run_all", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_benchmark_script_is_run() -> None:
    listed = run_all("--list")
    assert listed.returncode == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    scripts = {p.stem for p in (ROOT / "bench").glob("*.py")} - NOT_BENCHMARKS
    assert names == scripts


def test_each_benchmark_can_be_pointed_at_another_results_folder() -> None:
    """run_all points a short run away from bench/results/ through each script's --out or its
    module's RESULTS (a folder, or the file itself): each script still has what it relies on."""
    check = (
        "import inspect, importlib\n"
        "from pathlib import Path\n"
        "from bench.run_all import BENCHMARKS\n"
        "for b in BENCHMARKS:\n"
        "    module = importlib.import_module('bench.' + b.name)\n"
        "    source = inspect.getsource(module.main)\n"
        "    if b.out == '--out':\n"
        "        assert '\"--out\"' in source and 'args.out' in source, b.name\n"
        "    else:\n"
        "        results = module.RESULTS\n"
        "        assert isinstance(results, Path) and 'RESULTS' in source, b.name\n"
        "        assert (results.suffix == '.json') == (b.out == 'file'), b.name\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_a_short_run_writes_its_result_where_it_is_told(tmp_path: Path) -> None:
    kept = ROOT / "bench" / "results" / "spatial_index.json"
    before = kept.read_bytes() if kept.exists() else None
    done = run_all("--only", "spatial_index", "--results", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "spatial_index.json").read_text(encoding="utf-8"))
    assert report["points"] == 2000  # the short budget, not the full run's 20,000
    assert report["locate"]["mean_us"] > 0
    assert (kept.read_bytes() if kept.exists() else None) == before
