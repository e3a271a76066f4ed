"""The scikit-learn face of cuishou: Model.classes_/predict/predict_proba, load_model, train and
evaluate."""

from __future__ import annotations

import csv
import subprocess

import numpy as np
import pytest

import cuishou
from cuishou import _cuishou
from conftest import REPO, dev_texts, run_cli_jsonl

FIELDS = ["label", "confidence", "tags", "evidence"]


def test_classes_are_the_models_output_order():
    m = cuishou.load_model()
    assert m.classes_ == cuishou.CLASSES == ("lawful_reminder", "intimidation", "doctored_image_threat", "other")
    assert isinstance(m, cuishou.Model) and isinstance(m, _cuishou.Model)
    assert cuishou.Model().classes_ == m.classes_


def test_load_model_is_cached_and_model_is_a_deprecated_alias():
    assert cuishou.load_model() is cuishou.load_model()
    with pytest.warns(DeprecationWarning, match="load_model"):
        assert cuishou.model() is cuishou.load_model()
    assert cuishou.Model() is not cuishou.load_model()


def test_predict_agrees_with_classify_field_for_field():
    texts = dev_texts()[::6]
    got = cuishou.load_model().predict(texts)
    expected = cuishou.classify(texts)
    assert len(got) == len(texts)
    for text, p, e in zip(texts, got, expected):
        assert isinstance(p, cuishou.Prediction)
        assert (p.label, p.confidence) == (e["label"], e["confidence"])
        assert ";".join(p.tags) == e["tags"]
        assert ";".join(f"{s}@{a}-{b}" for s, a, b in p.evidence) == e["evidence"]
        assert all(text[a:b] == s for s, a, b in p.evidence)
        assert p.review is False
    assert cuishou.load_model().predict([]) == []


def test_prediction_is_an_immutable_typed_record():
    p = cuishou.load_model().predict(["再不还钱就把你P成遗照发到你家族群"])[0]
    assert p._fields == ("label", "confidence", "tags", "evidence", "review")
    assert p.label == "doctored_image_threat" and "image" in p.tags
    assert all(isinstance(s, str) and isinstance(a, int) and isinstance(b, int) for s, a, b in p.evidence)
    with pytest.raises(AttributeError):
        p.label = "other"  # type: ignore[misc]


def test_predict_proba_equals_the_command_lines_probabilities(cli_bin):
    texts = dev_texts()[::20]
    m = cuishou.load_model()
    proba = m.predict_proba(texts)
    assert isinstance(proba, np.ndarray) and proba.shape == (len(texts), 4) and proba.dtype == np.float64
    cli = run_cli_jsonl(cli_bin, texts, ["--probabilities"])
    expected = [[o["probabilities"][c] for c in m.classes_] for o in cli.out]
    assert proba.tolist() == expected
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-3)
    labels = [p.label for p in m.predict(texts)]
    assert [m.classes_[k] for k in proba.argmax(axis=1)] == labels
    assert m.predict_proba([]).shape == (0, 4)


def test_predict_proba_without_numpy_is_a_list_of_lists(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_numpy(name, *args, **kwargs):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("no numpy here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    rows = cuishou.load_model().predict_proba(["还钱", "今晚一起吃饭吗"])
    assert isinstance(rows, list) and all(isinstance(r, list) and len(r) == 4 for r in rows)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_texts_that_cannot_be_classified_raise_naming_the_index(method):
    call = getattr(cuishou.load_model(), method)
    with pytest.raises(ValueError, match="text 2: text is null"):
        call(["还钱", "吃饭", None])
    with pytest.raises(ValueError, match="text 1: NUL byte"):
        call(["还钱", "a\0b"])
    with pytest.raises(ValueError, match=r"text 0: text longer than --max-chars \(11 > 10"):
        call(["催" * 11], max_chars=10)
    with pytest.raises(ValueError, match="text 0: text is not a string"):
        call([5])
    with pytest.raises(TypeError, match="wrap it in a list"):
        call("一条短信")


def write_labelled(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    return str(path)


TINY = [
    ("您的借款今日到期，请按时还款", "lawful_reminder"),
    ("本期账单已出，请于15日前还款", "lawful_reminder"),
    ("不还钱就爆你通讯录，让你全家丢脸", "intimidation"),
    ("再不还钱就上门找你，后果自负", "intimidation"),
    ("再不还就把你P成遗照发到你家族群", "doctored_image_threat"),
    ("把你的照片P成裸照发给你所有联系人", "doctored_image_threat"),
    ("今晚一起吃饭吗", "other"),
    ("明天开会记得带电脑", "other"),
]


def test_train_writes_a_model_the_command_line_loads_and_returns_it(tmp_path, cli_bin):
    data = write_labelled(tmp_path / "tiny.csv", TINY)
    out = tmp_path / "tiny.model"
    m = cuishou.train([data], out, epochs=5, seed=7)
    assert isinstance(m, cuishou.Model) and out.exists()
    assert m.model_path == out  # a pathlib.Path, as the stub says
    texts = [t for t, _ in TINY]
    assert m.classify(texts) == cuishou.Model(out).classify(texts)
    cli = run_cli_jsonl(cli_bin, texts, ["--model", str(out)])
    assert m.classify(texts) == [{k: o[k] for k in FIELDS} for o in cli.out]
    # the same seed and data make the same model; no output file is needed
    again = cuishou.train(data, epochs=5, seed=7)
    assert again.model_path is None and again.predict_proba(texts).tolist() == m.predict_proba(texts).tolist()


def test_train_and_evaluate_raise_on_bad_input(tmp_path):
    data = write_labelled(tmp_path / "tiny.csv", TINY)
    with pytest.raises(ValueError, match="epochs"):
        cuishou.train([data], epochs=0)
    with pytest.raises(ValueError, match="temperature"):
        cuishou.train([data], temperature=-1.0)
    bad = write_labelled(tmp_path / "bad.csv", [("还钱", "")])
    with pytest.raises(ValueError, match="bad.csv"):
        cuishou.train([bad])
    with pytest.raises(ValueError, match="bad.csv"):
        cuishou.evaluate([bad])
    with pytest.raises(ValueError):
        cuishou.evaluate([str(tmp_path / "missing.csv")])


def test_evaluate_equals_cuishou_eval_json(tmp_path, cli_bin):
    import json

    data = write_labelled(tmp_path / "tiny.csv", TINY)
    got = cuishou.evaluate(data)
    p = subprocess.run([cli_bin, "eval", data, "--json"], check=True, stdout=subprocess.PIPE)
    cli = json.loads(p.stdout)
    for key in ["accuracy", "macro_f1", "per_label", "confusion", "rows"]:
        assert got[key] == cli[key], key
    assert got["rows"] == len(TINY)
    assert set(got["per_label"]) == set(cuishou.CLASSES)
    assert set(got["per_label"]["other"]) == {"precision", "recall", "f1", "support"}
    # a Model or a model file
    model_file = str(REPO / "models/default.model")
    assert cuishou.evaluate([data], model_file) == got == cuishou.evaluate([data], cuishou.Model())
    trained = cuishou.train([data], epochs=5)
    assert trained.evaluate(data) == cuishou.evaluate([data], trained)


OWN = [
    ("双十一大促，全场五折，点击链接立即抢购", "promo"),
    ("新店开业，进店即送优惠券，欢迎光临", "promo"),
    ("您本月的电费账单为128元，请于25日前缴纳", "bill"),
    ("本期信用卡账单金额3560元，最后还款日为15日", "bill"),
    ("晚上一起吃饭吗，我在老地方等你", "personal"),
    ("生日快乐，祝你天天开心", "personal"),
]


def test_a_model_of_labels_of_its_own_has_them_as_classes(tmp_path):
    data = write_labelled(tmp_path / "own.csv", OWN)
    m = cuishou.train([data], tmp_path / "own.model", epochs=10)
    assert m.classes_ == ("bill", "personal", "promo")
    texts = [t for t, _ in OWN]
    assert [p.label for p in m.predict(texts)] == [label for _, label in OWN]
    proba = m.predict_proba(texts)
    assert proba.shape == (len(OWN), 3)
    assert [m.classes_[k] for k in proba.argmax(axis=1)] == [label for _, label in OWN]
    assert all(p.tags == [] for p in m.predict(texts))
    assert set(m.evaluate(data)["per_label"]) == set(m.classes_)
    assert cuishou.Model(tmp_path / "own.model").classes_ == m.classes_
