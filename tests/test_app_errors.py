"""A failing widget callback: logged for the operator, one friendly line for the viewer.

(In the served apps the kernel also keeps ipywidgets' own tracebacks — a malformed comm
message — from the page: see ``tests/test_apps_security.py`` and ``plananalysis.run.kernel``.)
"""

from __future__ import annotations

import logging

import pytest

from plananalysis import widgets as W


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_failing_callback_is_one_line_for_the_viewer_and_a_traceback_for_the_operator(lang, caplog, monkeypatch):
    app = W.explorer_app(lang=lang)

    def broken(*args, **kwargs):
        raise FileNotFoundError(2, "No such file", "/srv/secret/path/observed.csv")

    monkeypatch.setattr(app, "refresh", broken)
    with caplog.at_level(logging.ERROR, logger="plananalysis.apps"):
        app.indicator.value = "culture_industry_share"   # the viewer picks another indicator
    notice = app.notice.value
    assert 'class="pa-error"' in notice and notice.count("<div") == 1
    assert ("出错了" in notice) if lang == "zh" else ("Something went wrong" in notice)
    for leak in ("Traceback", "/srv/secret", "observed.csv", "FileNotFoundError", ".py"):
        assert leak not in notice
    # the operator's log has the whole story
    assert "Traceback" in caplog.text and "/srv/secret/path/observed.csv" in caplog.text
    # the next change that works clears the line
    monkeypatch.undo()
    app.indicator.value = "urbanisation_rate"
    assert app.notice.value == ""


def test_scenario_slider_errors_are_caught_too(monkeypatch):
    app = W.scenarios_app()
    row = app.rows[0]
    monkeypatch.setattr(row, "update", lambda: 1 / 0)
    row.slider.value = row.slider.max
    assert 'class="pa-error"' in app.notice.value and "ZeroDivision" not in app.notice.value
