"""The learned layer: shipped weights, their format, and the features training and tagging share."""

from __future__ import annotations

import ast
import math
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT
from ticker.model import CLASSES, DENSE, MODEL_FILE, TextModel, dense_features, save, terms
from ticker.sentiment import Tagger, analyser

SHARED = ROOT.parent / "shared" / "data" / "sentiment"


def test_the_weights_ship_inside_the_package() -> None:
    """The model file sits in ticker/, is listed as package data, and is a few MB at most."""
    path = ROOT / "ticker" / MODEL_FILE
    assert path.is_file() and path.stat().st_size < 3_000_000
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert MODEL_FILE in config["tool"]["setuptools"]["package-data"]["ticker"]


def test_nothing_in_ticker_needs_numpy_to_tag() -> None:
    """Inference is pure Python: numpy (and scikit-learn) are for training only."""
    for path in (ROOT / "ticker").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in {"numpy", "sklearn", "scipy"}, path.name


def test_probabilities_are_a_distribution() -> None:
    """The four probabilities sum to 1 and the polarity is the largest of three."""
    p = Tagger().model.probabilities(*analyser().scores_and_words("the app crashes daily"))
    assert math.isclose(sum(p), 1.0) and all(0 <= x <= 1 for x in p)
    assert p.polarity == max(
        ("positive", p.good), ("neutral", p.neutral), ("negative", p.bad + p.ugly),
        key=lambda kv: kv[1],
    )[0]  # fmt: skip


def test_terms_are_the_words_and_their_neighbours() -> None:
    """Words, then each pair with the ends marked; a repeated term counts twice."""
    assert terms(["so", "so"]) == ["so", "so", ("<s>", "so"), ("so", "so"), ("so", "</s>")]
    assert terms([]) == [("<s>", "</s>")]


def test_a_saved_model_loads_back_with_the_same_weights(tmp_path: Path) -> None:
    """`save` and `TextModel.load` agree; the version is a digest of the weights."""
    dense = [[0.1 * i, 0.0, -0.1 * i, 0.0] for i in range(len(DENSE))]
    weights = {"late": [0.0, 0.0, 1.0, 0.5], ("thanks", "for"): [1.0, 0.0, 0.0, 0.0]}
    path = tmp_path / "m.json.gz"
    version = save(path, [0.0, 0.1, 0.0, -1.0], dense, weights, {"note": "test"})
    again = save(tmp_path / "n.json.gz", [0.0, 0.1, 0.0, -1.0], dense, weights, {})
    model = TextModel.load(path)
    assert model.version == version == again and version.startswith("lr1-")
    assert model.weights[("thanks", "for")] == (1.0, 0.0, 0.0, 0.0)
    scores = {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 1.0}
    z = model.logits(scores, ["late"])
    x = dense_features(scores)
    expected = [
        b + sum(xi * w[k] for xi, w in zip(x, dense, strict=True)) + weights["late"][k]
        for k, b in enumerate([0.0, 0.1, 0.0, -1.0])
    ]
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(z, expected, strict=True))
    changed = save(tmp_path / "o.json.gz", [0.0, 0.2, 0.0, -1.0], dense, weights, {})
    assert changed != version


def test_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    """Weights trained on other dense inputs are not silently misread."""
    with pytest.raises(ValueError, match="dense features"):
        TextModel(
            {
                "format": 1,
                "version": "x",
                "classes": list(CLASSES),
                "dense_names": ["compound"],
                "bias": [0, 0, 0, 0],
                "dense": [[0, 0, 0, 0]],
                "terms": {},
            }
        )


def test_training_and_tagging_read_the_same_features(tmp_path: Path) -> None:
    """A model trained by bench.train_tagger gives the tagger numpy's own probabilities."""
    np = pytest.importorskip("numpy")
    from bench.ratings import Rated
    from bench.train_tagger import design, examples, fit, softmax, vocabulary

    rated = [
        Rated("t", str(i), mean, text)
        for i, (mean, text) in enumerate(
            [
                (3.0, "Great service, thank you!"),
                (2.5, "Love it, works great"),
                (0.0, "The parcel came on Tuesday."),
                (0.2, "It is a fridge."),
                (-1.5, "Delivery was late again"),
                (-3.0, "Worst service ever, I hate it"),
            ]
            * 2
        )
    ]
    items = examples(rated)
    vocab = {t: i for i, t in enumerate(vocabulary(items))}
    x = design(items, vocab)
    w = fit(x, [e.label for e in items], 1e-3)
    nd = len(DENSE)
    path = tmp_path / "m.json.gz"
    save(
        path, w[-1].tolist(), w[:nd].tolist(), {t: w[nd + i].tolist() for t, i in vocab.items()}, {}
    )
    model = TextModel.load(path)
    expected = softmax(x.times(np.round(w, 4)))
    vader = analyser()
    for row, r in zip(expected, rated, strict=True):
        got = model.probabilities(*vader.scores_and_words(r.text))
        assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(got, row, strict=True))
    assert Counter(e.label for e in items) == Counter({0: 4, 1: 4, 2: 2, 3: 2})


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data/sentiment")
def test_the_model_beats_vader_alone_on_sentences_it_never_saw() -> None:
    """On the held-out fifth of the four rated sets, macro-F1 is well above VADER's."""
    from bench.ratings import gold_bucket, load
    from bench.sentiment import score, vader_t2

    test = [r for r in load(SHARED) if r.part == "test"]
    tagger = Tagger()
    golds = [gold_bucket(r.mean) for r in test]
    ours = score(Counter(zip(golds, (tagger.tag(r.text).bucket for r in test), strict=True)))
    vader = vader_t2(tagger)
    theirs = score(Counter(zip(golds, (vader(r.text) for r in test), strict=True)))
    assert ours.macro_f1 >= theirs.macro_f1 + 0.08, (ours.macro_f1, theirs.macro_f1)
