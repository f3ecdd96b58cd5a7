"""The `voc-ticker` command: ingest summaries, progress, dry-run tagging and curation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from ticker.store import Store
from voc.cli import main

SAMPLE = ROOT / "sample_feedback" / "support_csat.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_prints_a_summary_and_twice_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary counts read, added, duplicates and quarantined; a second import adds 0."""
    db = str(tmp_path / "v.db")
    code, out, _ = run(capsys, "ingest", str(SAMPLE), "--source", "support", "--db", db)
    assert code == 0 and "text='Comment'" in out and "added 199," in out
    code, out, _ = run(capsys, "ingest", str(SAMPLE), "--source", "support", "--db", db)
    assert "added 0, updated 0, duplicates 199," in out


def test_ingest_lists_quarantined_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each quarantined row is listed with its line and reason; the good rows go in."""
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "comment": "Great"}\n{oops\n{"id": 2, "comment": "Slow delivery"}\n')
    code, out, _ = run(capsys, "ingest", str(path), "--source", "s", "--db", str(tmp_path / "v.db"))
    assert code == 0 and "added 2," in out and "quarantined 1" in out
    assert "line 2: not JSON" in out
    assert Store(tmp_path / "v.db").quarantined()[0]["raw"] == "{oops"


def test_ingest_of_an_unreadable_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that cannot be read gives one line that says what to do, and exit status 1."""
    (tmp_path / "e.csv").write_bytes(b"")
    code, _, err = run(
        capsys, "ingest", str(tmp_path / "e.csv"), "--source", "s", "--db", str(tmp_path / "v.db")
    )
    assert code == 1 and err.count("\n") == 1 and "is empty" in err


def test_large_imports_show_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Big files show a progress bar (a line per tenth when not on a terminal)."""
    path = tmp_path / "big.csv"
    path.write_text(
        "id,comment\n" + "".join(f"{i},comment number {i} was great\n" for i in range(6000))
    )
    code, out, err = run(
        capsys, "ingest", str(path), "--source", "s", "--db", str(tmp_path / "v.db")
    )
    assert code == 0 and "added 6,000" in out
    assert "6,000/6,000 rows" in err and err.count("\n") >= 2


def test_tag_reads_stdin_and_writes_one_object_per_row_in_order(tmp_path: Path) -> None:
    """`tag -` keeps each input's fields, adds bucket and compound, and touches no database."""
    rows = [
        {"text": "Love it, great service", "score": 10, "scale": "nps", "extra": 1},
        {"text": "n/a"},
        {"text": "meh", "score": 11, "scale": "nps"},
        {"text": "Terrible, the worst, I hate this awful company"},
    ]
    stdin = "\n".join(json.dumps(r) for r in rows) + "\nnot json\n"
    done = subprocess.run(
        [sys.executable, "-m", "voc", "tag", "-"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("bucket") for o in out] == ["good", "noise", None, "ugly", None]
    assert out[0]["extra"] == 1 and isinstance(out[0]["compound"], float)
    assert "outside the nps scale" in out[2]["error"] and "not JSON" in out[4]["error"]
    assert done.returncode == 1 and "2 row(s)" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_tag_reads_csv_as_ingest_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sep: str
) -> None:
    """A CSV export (any delimiter) is tagged with the columns ingest would use."""
    path = tmp_path / "t.csv"
    path.write_text(
        f"id{sep}Comment{sep}CSAT\n1{sep}Excellent help thanks{sep}5\n2{sep}Useless and rude{sep}1\n3{sep}meh{sep}9\n"
    )
    code, out, _ = run(capsys, "tag", str(path))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r.get("bucket")) for r in rows] == [("1", "good"), ("2", "ugly"), ("3", None)]
    assert code == 1 and "outside the csat5 scale" in rows[2]["error"]


def test_hide_pin_approve_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Curation commands change the comment and log who did it."""
    db = str(tmp_path / "v.db")
    run(capsys, "ingest", str(SAMPLE), "--source", "support", "--db", db)
    vid = Store(db).candidates(Store(db).feed("all").filter, 1)[0].id
    assert run(capsys, "hide", vid, "--db", db, "--actor", "dana")[1].strip().endswith("now hidden")
    assert run(capsys, "approve", vid, "--db", db, "--actor", "dana")[0] == 0
    assert "pinned" in run(capsys, "pin", vid, "--db", db, "--actor", "sam")[1]
    assert [r["action"] for r in Store(db).curation_log(vid)] == ["hide", "approve", "pin"]
    code, _, err = run(capsys, "hide", "nope", "--db", db)
    assert code == 1 and "no verbatim with id 'nope'" in err


def test_feeds_set_validates_and_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A feed definition is checked before it is saved."""
    db = str(tmp_path / "v.db")
    code, out, _ = run(
        capsys, "feeds", "--db", db, "--set", '{"name": "support", "filter": {"sources": ["s"]}}'
    )
    assert code == 0 and '"name": "support"' in out
    code, _, err = run(capsys, "feeds", "--db", db, "--set", '{"name": "Bad Name!"}')
    assert code == 1 and "must be 1-64 lowercase" in err


@pytest.mark.parametrize(
    "content", [b"", b"PK\x03\x04zip", b"a,b\n1,2\n", "id,comment\n1,caf\xe9\n".encode("cp1252")]
)
def test_a_failed_import_leaves_what_is_stored_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    """An unreadable file, a file without comments or a wrong encoding changes nothing stored."""
    db = str(tmp_path / "v.db")
    run(capsys, "ingest", str(SAMPLE), "--source", "support", "--db", db)
    before = Store(db).count()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, _, err = run(
        capsys, "ingest", str(bad), "--source", "support", "--db", db, "--encoding", "utf-8"
    )
    assert code == 1 and err.startswith("voc-ticker: ")
    assert Store(db).count() == before


def test_a_bad_mapping_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mapping file that is not TOML, or names meta as a string, says so in one line."""
    for content in ('text = "unclosed', 'meta = "Store"'):
        mapping = tmp_path / "m.toml"
        mapping.write_text(content)
        code, _, err = run(
            capsys,
            "ingest",
            str(SAMPLE),
            "--source",
            "s",
            "--mapping",
            str(mapping),
            "--db",
            str(tmp_path / "v.db"),
        )
        assert code == 1 and err.count("\n") == 1 and "mapping file" in err


def test_reimporting_a_file_does_not_repeat_its_quarantine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Importing the same export twice adds nothing, bad rows included."""
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "comment": "Great"}\n{oops\n')
    for _ in range(2):
        run(capsys, "ingest", str(path), "--source", "s", "--db", str(tmp_path / "v.db"))
    assert len(Store(tmp_path / "v.db").quarantined()) == 1


def test_inspect_shows_the_columns_it_would_use(capsys: pytest.CaptureFixture[str]) -> None:
    """inspect names the format, encoding and columns, with examples, and imports nothing."""
    code, out, _ = run(capsys, "inspect", str(SAMPLE))
    assert (
        code == 0 and "format     csv, utf-8-sig" in out and "score      CSAT (1-5) (csat5)" in out
    )
    assert "rows       200: 199 comments, 1 empty, 0 quarantined" in out
    code, out, _ = run(
        capsys, "inspect", str(ROOT / "tests" / "fixtures" / "qualtrics" / "qualtRics_sample.csv")
    )
    assert "format     qualtrics" in out and "Q2 (This is a free text question.)" in out
    code, out, _ = run(
        capsys, "inspect", str(ROOT / "tests" / "fixtures" / "exports" / "alchemer.csv")
    )
    assert "format     alchemer, utf-8-sig" in out and "id         Response ID + question" in out
    assert "score      How likely are you to recommend Acme" in out and "(nps)" in out


def test_inspect_of_an_unknown_layout_says_how_to_map_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with no recognisable comment column lists its columns and the mapping options."""
    path = tmp_path / "odd.csv"
    path.write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "inspect", str(path))
    assert code == 1 and "the columns are: a, b" in err and "--mapping FILE" in err


def test_sources_show_health(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ok, degraded (its last rows went to quarantine), misconfigured (secret unset), waiting."""
    db = str(tmp_path / "v.db")
    run(capsys, "ingest", str(SAMPLE), "--source", "support", "--db", db)
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": 1, "comment": "fine"}\n{oops\n')
    run(capsys, "ingest", str(bad), "--source", "broken", "--db", db)
    config = tmp_path / "voc.toml"
    config.write_text(
        '[sources.kiosk]\nadapter = "webhook"\nsecret_env = "KIOSK_TEST_SECRET"\n'
        '[sources.later]\nadapter = "webhook"\nsecret_env = "LATER_TEST_SECRET"\n'
    )
    monkeypatch.delenv("KIOSK_TEST_SECRET", raising=False)
    monkeypatch.setenv("LATER_TEST_SECRET", "x")
    code, out, _ = run(capsys, "--config", str(config), "sources", "--db", db, "--json")
    status = {row["name"]: row["status"] for row in map(json.loads, out.splitlines())}
    assert code == 0
    assert status == {
        "support": "ok",
        "broken": "degraded",
        "kiosk": "misconfigured",
        "later": "waiting",
    }


@pytest.mark.parametrize("kind", ["folder", "not a database"])
@pytest.mark.parametrize(
    "command", [["hide", "x"], ["sources"], ["feeds"], ["serve", "--port", "0"]]
)
def test_a_db_that_is_no_database_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: list[str]
) -> None:
    """--db naming a folder or a file that is not SQLite says so in one line, exit 1."""
    db = tmp_path / "store"
    if kind == "folder":
        db.mkdir()
    else:
        db.write_bytes(b"id,comment\n1,hello\n" * 100)
    code, _out, err = run(capsys, *command, "--db", str(db))
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert ("is a folder" if kind == "folder" else "not an SQLite database") in err


def test_a_curation_waits_out_a_short_lock_and_names_a_long_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the busy timeout a curation is one line saying the store stayed locked."""
    from tests.web.test_write_lock import Lock
    from ticker import store as store_module

    db = tmp_path / "v.db"
    Store(db).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    lock = Lock(db)
    try:
        code, _, err = run(capsys, "feeds", "--set", '{"name": "x"}', "--db", str(db))
    finally:
        lock.release()
    assert code == 1 and "stayed locked by another process" in err and "Traceback" not in err
    assert run(capsys, "feeds", "--set", '{"name": "x"}', "--db", str(db))[0] == 0


def test_a_bad_mask_pattern_stops_serve_and_ingest_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mask pattern that is no regex is one line naming the setting, before anything runs."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text('mask_patterns = ["order=ORD-(\\\\d"]\n')
    db = str(tmp_path / "v.db")
    for command in (["serve", "--port", "0"], ["ingest", str(SAMPLE), "--source", "s"], ["worker"]):
        code, _, err = run(capsys, "--config", str(config), *command, "--db", db)
        assert code == 1 and "mask_patterns" in err and err.count("\n") == 1, err


def test_the_same_file_by_another_path_does_not_repeat_its_quarantine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad row is quarantined once, whether its file is named relatively, absolutely or
    from a copy in another folder."""
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "comment": "Great"}\n{oops\n')
    (tmp_path / "copy").mkdir()
    copy = tmp_path / "copy" / "q.jsonl"
    copy.write_bytes(path.read_bytes())
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "v.db")
    for name in ("q.jsonl", str(path), str(copy)):
        assert run(capsys, "ingest", name, "--source", "s", "--db", db)[0] == 0
    assert len(Store(db).quarantined()) == 1


def test_reimporting_a_corrected_file_updates_what_it_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second import of a file whose rows were corrected updates them and says how many."""
    path = tmp_path / "export.csv"
    db = str(tmp_path / "v.db")
    path.write_text("id,comment,score\n1,Cafe was cold,3\n2,Lovely staff,9\n", encoding="utf-8")
    run(capsys, "ingest", str(path), "--source", "s", "--db", db)
    path.write_text("id,comment,score\n1,Café was cold,3\n2,Lovely staff,9\n", encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(path), "--source", "s", "--db", db)
    assert code == 0 and "added 0, updated 1, duplicates 1," in out
    assert sorted(v["text"] for v in Store(db).db.query("SELECT text FROM verbatims")) == [
        "Café was cold",
        "Lovely staff",
    ]


def test_a_lone_surrogate_quarantines_its_line_and_the_rest_goes_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One JSON line with half a character is quarantined; the other lines are stored."""
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": 1, "comment": "Great"}\n'
        '{"id": 2, "comment": "Broken \\ud800 here"}\n'
        '{"id": 3, "comment": "Slow delivery", "region": "\\udfff"}\n'
        '{"id": 4, "comment": "Fine"}\n'
    )
    db = str(tmp_path / "v.db")
    code, out, err = run(capsys, "ingest", str(path), "--source", "s", "--db", db)
    assert code == 0 and "Traceback" not in err
    assert "added 2," in out and "quarantined 2" in out and "surrogate" in out
    assert len(Store(db).quarantined("s")) == 2


def test_untagged_comments_are_counted_by_language_in_summaries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ingest summary and `voc-ticker sources` say how many wait, in which language."""
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": 1, "comment": "Lovely staff, quick and kind."}\n'
        '{"id": 2, "comment": "Le service client ne répond jamais, c\'est inadmissible."}\n'
        '{"id": 3, "comment": "Der Kundendienst antwortet nie, das ist unmöglich."}\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "v.db")
    code, out, _ = run(capsys, "ingest", str(path), "--source", "s", "--db", db)
    assert code == 0 and "untagged, waiting for a curator" in out and "de 1, fr 1" in out
    code, out, _ = run(capsys, "sources", "--db", db)
    assert code == 0 and "untagged, waiting: de 1, fr 1" in out  # ties alphabetical


def test_tag_never_calls_a_one_or_two_star_review_good_or_neutral(tmp_path: Path) -> None:
    """`voc-ticker tag` on reviews whose customer gave 1 or 2 stars: bad or ugly, whatever the
    words, polite or fond ("love the colour, but it fell apart") or in another language."""
    reviews = [
        "Love the colour, but it fell apart after a week.",
        "The staff were lovely. The product did not work.",
        "It's fine I guess.",
        "Great app, thanks!",
        "Works as described.",
        "Très joli mais cassé au bout de deux jours.",
        "n/a but it broke",
    ]
    lines = "".join(
        json.dumps({"text": t, "score": s, "scale": "stars5"}) + "\n"
        for t in reviews
        for s in (1, 2)
    )
    done = subprocess.run(
        [sys.executable, "-m", "voc", "tag", "-"], input=lines, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    buckets = [json.loads(line)["bucket"] for line in done.stdout.splitlines()]
    assert len(buckets) == 2 * len(reviews) and set(buckets) <= {"bad", "ugly"}, buckets


def test_voc_config_brings_in_its_sources_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`VOC_CONFIG` names the file for [sources] as well as for settings, as `--config` does."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text('[sources.kiosk]\nadapter = "webhook"\nsecret_env = "KIOSK_SECRET"\n')
    monkeypatch.setenv("VOC_CONFIG", str(config))
    code, out, _ = run(capsys, "sources", "--db", str(tmp_path / "v.db"))
    assert code == 0 and out.startswith("kiosk")


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ("sources = 5\n", "sources must be tables"),
        ("[[sources]]\nadapter = 'webhook'\n", "sources must be tables"),
        ("port = 99999\n", "a port is 0-65535"),
    ],
)
def test_a_config_of_the_wrong_shape_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, said: str
) -> None:
    """Sources that are not tables, or a port past 65535, are one line naming the fix."""
    path = tmp_path / "voc-ticker.toml"
    path.write_text(config)
    code, _, err = run(capsys, "--config", str(path), "sources", "--db", str(tmp_path / "v.db"))
    assert code == 1 and said in err and err.count("\n") == 1, err
