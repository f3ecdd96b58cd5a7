"""Curation from the command line while another process imports: every call waits and succeeds."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import UNIT, add
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import Store
from voc.cli import main

ROWS = 20_000


def export(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "comment", "score"])
        for i in range(rows):
            out.writerow([f"r{i}", f"Delivery {i} was quick and the driver was kind.", i % 11])
    return path


def test_hide_and_approve_succeed_while_another_process_imports(
    tmp_path: Path, store: Store, tagger: Tagger
) -> None:
    """20 hide/approve calls during a large import in another process all exit 0."""
    [target] = add(store, tagger, Verbatim("kiosk", "The staff were lovely.", "k-1"))
    big = export(tmp_path / "big.csv", ROWS)
    importing = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voc",
            "ingest",
            str(big),
            "--source",
            "big",
            "--db",
            str(store.path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60 * UNIT
        while store.count(source="big") == 0:  # the import is writing
            assert importing.poll() is None and time.monotonic() < deadline, "import never wrote"
            time.sleep(0.01)
        during = 0
        codes = []
        for n in range(20):
            action = "hide" if n % 2 == 0 else "approve"
            codes.append(main([action, target, "--db", str(store.path), "--actor", "cx"]))
            during += importing.poll() is None
    finally:
        _, err = importing.communicate(timeout=120 * UNIT)
    assert codes == [0] * 20
    assert during > 0, "the import ended before the calls: make it bigger"
    assert importing.returncode == 0, err
    assert store.get(target).state == "approved"
    assert store.count(source="big") == ROWS
    assert [e["action"] for e in store.curation_log(target)] == ["hide", "approve"] * 10
