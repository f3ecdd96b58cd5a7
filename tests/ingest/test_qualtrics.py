"""Qualtrics response exports as downloaded (three header rows, and the legacy two)."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.files import open_export
from tests.conftest import ROOT
from ticker.records import Verbatim

FIXTURES = ROOT / "tests" / "fixtures" / "qualtrics"
NAMES = "StartDate,EndDate,Status,IPAddress,RecordedDate,ResponseId,RecipientEmail,DistributionChannel,UserLanguage,Q1,Q1_NPS_GROUP,Q2,Q3"
QUESTIONS = 'Start Date,End Date,Response Type,IP Address,Recorded Date,Response ID,Recipient Email,Distribution Channel,User Language,How likely are you to recommend us?,How likely are you to recommend us? - Group,"Why did you give\nthat score?",Anything else?'
IDS = ",".join(
    '"' + json.dumps({"ImportId": i}).replace('"', '""') + '"'  # as Qualtrics writes it
    for i in [
        "startDate",
        "endDate",
        "status",
        "ipAddress",
        "recordedDate",
        "_recordId",
        "recipientEmail",
        "distributionChannel",
        "userLanguage",
        "QID1",
        "QID1_NPS_GROUP",
        "QID2_TEXT",
        "QID3_TEXT",
    ]
)


def export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "qualtrics.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([NAMES, QUESTIONS, IDS, *rows]) + "\r\n").encode())
    return path


def verbatims(path: Path) -> list[Verbatim]:
    return [r for r in open_export(path, "q").rows if isinstance(r, Verbatim)]


def test_the_three_row_export_is_read_from_its_import_ids() -> None:
    """The sample export: its open-text answer, response id, recorded date and question."""
    export_ = open_export(FIXTURES / "qualtRics_sample.csv", "q")
    assert export_.format == "qualtrics"
    [v] = [r for r in export_.rows if isinstance(r, Verbatim)]
    assert (v.text, v.response_id, v.given_at) == (
        "Hello World!",
        "R_2YPOQ602ER1jkf1/Q2",
        "2017-07-18T08:28:48",
    )
    assert v.meta["question"] == "This is a free text question."
    assert not {"IPAddress", "RecipientEmail", "LocationLatitude"} & set(v.meta)


def test_the_legacy_export_with_bom_and_trailing_commas() -> None:
    """The legacy two-row export finds the same answer under the same key."""
    export_ = open_export(FIXTURES / "qualtRics_sample_legacy.csv", "q")
    assert export_.format == "qualtrics-legacy"
    [v] = [r for r in export_.rows if isinstance(r, Verbatim)]
    assert (v.text, v.response_id) == ("Hello World!", "R_2YPOQ602ER1jkf1/Q2")
    assert "IPAddress" not in v.meta and "Name" not in v.meta


def test_nps_score_comes_from_the_question_with_an_nps_group(tmp_path: Path) -> None:
    """An NPS question's score column (the one with a `_NPS_GROUP` twin) is the score, on 0-10."""
    path = export(
        tmp_path,
        '2026-01-01 10:00,2026-01-01 10:05,0,1.2.3.4,2026-01-01 10:05,R_1,a@b.c,anonymous,EN,3,Detractor,"Slow delivery, rude driver",',
    )
    [v] = verbatims(path)
    assert (v.score, v.scale, v.text) == (3.0, "nps", "Slow delivery, rude driver")


def test_every_open_text_answer_is_a_verbatim_of_its_own(tmp_path: Path) -> None:
    """Two answered text questions make two verbatims, keyed by response and question."""
    path = export(
        tmp_path,
        "2026-01-01,2026-01-01,0,,2026-01-01,R_2,,anonymous,EN,10,Promoter,Great,Keep it up",
    )
    assert [(v.response_id, v.meta["question"]) for v in verbatims(path)] == [
        ("R_2/Q2", "Why did you give\nthat score?"),
        ("R_2/Q3", "Anything else?"),
    ]


def test_previews_and_tests_are_skipped(tmp_path: Path) -> None:
    """Survey Preview and Survey Test responses are not customers' words."""
    rows = [
        "2026-01-01,2026-01-01,Survey Preview,,2026-01-01,R_3,,preview,EN,9,Promoter,preview text,",
        "2026-01-01,2026-01-01,2,,2026-01-01,R_4,,test,EN,9,Promoter,test text,",
        "2026-01-01,2026-01-01,0,,2026-01-01,R_5,,anonymous,EN,9,Promoter,real text,",
    ]
    assert [v.text for v in verbatims(export(tmp_path, *rows))] == ["real text"]


def test_the_same_export_twice_has_the_same_keys(tmp_path: Path) -> None:
    """Keys come from the response id, so a second download of the export adds nothing."""
    path = export(tmp_path, "2026-01-01,2026-01-01,0,,2026-01-01,R_6,,anonymous,EN,8,Passive,ok,")
    assert [v.key for v in verbatims(path)] == [v.key for v in verbatims(path)]
