"""The leaders' apps: 指标总览 (scorecard), 指标详情 (indicator explorer), 情景推演 (scenarios).

Each app is a small class holding an ipywidgets tree (``app.widget``); the notebooks in
``notebooks/apps/`` only build one and display it (``plananalysis app`` serves them with
Voilà).  One module per app (:mod:`.scorecard`, :mod:`.explorer`, :mod:`.scenarios`) and
:mod:`.common` for what they share (strings, formats, data, the base class).

Everything an app shows is computed by pure functions that take the package's frames and
return plain data or HTML, so the tests check the numbers without a browser:

- :func:`scorecard_cards` — one dict per indicator (latest value, target, completion, status);
- :func:`status_count_items`, :func:`filter_cards`, :func:`card_html`;
- :func:`verdict_items`, :func:`method_verdicts`, :func:`observation_rows`, :func:`data_needed`;
- :func:`scenario_outcome` — an assumed annual change → the projected value, the verdict.

Charts are :mod:`plananalysis.present.charts` drawn to static SVG on the server (no CDN, no
JavaScript chart library in the page).  Widgets carry CSS classes (``pa-…``) for the
browser tests.  Chinese is the default; ``lang="en"`` switches every label.

>>> cards = scorecard_cards(assessment(2023), lang="zh")
>>> len(cards), cards[2]["indicator_id"], cards[2]["latest"], cards[2]["status_label"]
(25, 'urbanisation_rate', '74.2', '快于预期')
"""

from .common import LANGS, METHOD_NAMES, METHODS, app_context, app_data, as_of_options, assessment, request_query, ui
from .explorer import (ExplorerApp, data_needed, explorer_app, explorer_choices, method_verdicts,
                       observation_rows, verdict_items)
from .scenarios import ScenariosApp, scenario_outcome, scenario_trend, scenarios_app
from .scorecard import (ScorecardApp, card_html, filter_cards, scorecard_app, scorecard_cards,
                        scorecard_html, status_count_items)

__all__ = [
    "LANGS", "METHODS", "METHOD_NAMES", "ui", "app_context", "app_data", "assessment", "as_of_options",
    "scorecard_cards", "filter_cards", "status_count_items", "card_html", "scorecard_html",
    "explorer_choices", "verdict_items", "method_verdicts", "observation_rows", "data_needed",
    "scenario_trend", "scenario_outcome",
    "ScorecardApp", "ExplorerApp", "ScenariosApp",
    "scorecard_app", "explorer_app", "scenarios_app", "request_query",
]
