"""The declared status table and every method's boundaries (METHODS.md §1.6, §2.4, §4.3, §5.3)."""

import math

import pytest

from plananalysis.engine import methods as m

# ---------------------------------------------------------------- the table


def test_table_has_every_method_and_unique_ids():
    table = m.status_labels()
    assert set(table["method"]) == set(m.METHODS)
    assert not table.duplicated(["method", "phase", "status_id"]).any()
    assert table["label_zh"].str.len().gt(0).all() and table["label_en"].str.len().gt(0).all()


def test_cn_schedule_labels_in_order():
    assert m.status_labels("cn-schedule", "midterm")["label_zh"].tolist() == [
        "提前实现", "快于预期", "基本符合预期", "滞后", "逆向", "定性目标", "无数据", "无法评估"]
    assert m.status_labels("cn-schedule", "final")["label_zh"].tolist() == [
        "超额完成", "完成", "预计完成", "基本完成", "预计未完成", "未完成", "定性目标", "无数据", "无法评估"]
    dated = m.status_labels("cn-schedule", "final").set_index("status_id")["dated_zh"]
    assert dated["estimated_completed"] == "预计完成（据{year}年数据）" and dated["completed"] == "完成"
    assert m.dated_label("cn-schedule", "final", "estimated_not_completed", 2024.0, "en") == \
        "Likely not completed (on 2024 data)"
    assert m.dated_label("cn-schedule", "final", "estimated_completed", float("nan")) == "预计完成"


def _lightness(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


@pytest.mark.parametrize("method,phase", [("cn-schedule", "midterm"), ("cn-schedule", "final"),
                                          ("eurostat", "any"), ("open-sdg", "any"), ("sdsn", "any")])
def test_colours_readable_in_greyscale(method, phase):
    table = m.status_labels(method, phase)
    # trend classes without a target, and the two rows that are not verdicts (qualitative, cannot
    # be assessed: always shown with their words and an outline) are not on the verdict ramp
    table = table[~table["status_id"].str.endswith("_no_target")
                  & ~table["status_id"].isin(["qualitative", "not_assessable"])]
    values = sorted(_lightness(c) for c in table["colour"])
    assert min(b - a for a, b in zip(values, values[1:])) >= 8


def test_unknown_method_is_a_clear_error():
    with pytest.raises(m.ParameterError, match="未知方法"):
        m.status_labels("weather")


# ---------------------------------------------------------------- cn-schedule boundaries (§5.3)

@pytest.mark.parametrize("q,expected", [
    (1.2, "ahead"), (1.1999, "on_track"),        # ≥ goes to the upper class
    (0.9, "on_track"), (0.8999, "behind"),
    (0.0, "behind"), (-0.0001, "reverse"),
    (0.6 / (2 / 3), "on_track"),                 # 0.8999999999999999 in floating point is 0.9
])
def test_cn_midterm_bands(q, expected):
    assert m.classify("cn-schedule", "midterm", "q", q) == expected


@pytest.mark.parametrize("p,expected", [
    (1.05, "exceeded"), (0.9, "basically_completed"), (0.8999, "not_completed"), (0.99, "basically_completed"),
])
def test_cn_final_bands(p, expected):
    assert m.classify("cn-schedule", "final", "P", p) == expected


# ---------------------------------------------------------------- Eurostat (§1.2, §1.6)

@pytest.mark.parametrize("rr,expected", [
    (0.95, "significant_progress"), (0.9499, "moderate_progress"), (0.6, "moderate_progress"),
    (0.5999, "insufficient_progress"), (0.0, "insufficient_progress"), (-0.0001, "movement_away"),
])
def test_eurostat_bands(rr, expected):
    assert m.classify("eurostat", "any", "RR", rr) == expected


@pytest.mark.parametrize("g,expected", [
    (0.01, "significant_progress_no_target"), (0.0099, "moderate_progress_no_target"),
    (0.0, "moderate_progress_no_target"), (-0.0001, "moderate_movement_away_no_target"),
    (-0.01, "moderate_movement_away_no_target"), (-0.0101, "significant_movement_away_no_target"),
])
def test_eurostat_no_target_bands(g, expected):
    assert m.classify("eurostat", "any", "g", g) == expected


def test_eurostat_vectors():
    # EU1: CAGR_a = (21.8/17)^(1/5) − 1 = 5.0997 %; CAGR_r = (42.5/17)^(1/13) − 1 = 7.3027 %;
    # RR = 0.050997/0.073027 = 0.6983 → moderate progress
    assert m.cagr(17.0, 21.8, 5) == pytest.approx(0.050997, abs=1e-6)
    assert m.cagr(17.0, 42.5, 13) == pytest.approx(0.073027, abs=1e-6)
    rr = m.eurostat_ratio(17.0, 2017, 21.8, 2022, 42.5, 2030, +1)
    assert rr == pytest.approx(0.6983, abs=1e-4)
    assert m.classify("eurostat", "any", "RR", rr) == "moderate_progress"
    # EU2 lower-better: CAGR_a = (10.5/12)^(1/5) − 1 = −2.6353 %, CAGR_r = (9/12)^(1/13) − 1 = −2.1886 %;
    # RR = (−1)(−0.026353)/0.021886 = 1.2041 → significant progress
    rr = m.eurostat_ratio(12.0, 2017, 10.5, 2022, 9.0, 2030, -1)
    assert rr == pytest.approx(1.2041, abs=1e-4)
    assert m.classify("eurostat", "any", "RR", rr) == "significant_progress"
    # §1.4: lower-better, 8 → 11 with target 10: the plain ratio +4.39 would read as progress;
    # d·CAGR_a/|CAGR_r| = −0.0657628/0.0149874 = −4.388 → movement away
    rr = m.eurostat_ratio(8, 2015, 11, 2020, 10, 2030, -1)
    assert rr == pytest.approx(-4.387858, abs=1e-5)
    assert m.classify("eurostat", "any", "RR", rr) == "movement_away"


def test_cagr_undefined_for_zero_or_negative():
    assert math.isnan(m.cagr(0, 5, 5)) and math.isnan(m.cagr(-1, 5, 5)) and math.isnan(m.cagr(1, 2, 0))


# ---------------------------------------------------------------- open-sdg (§2.1, §2.4)

@pytest.mark.parametrize("r,expected", [
    (0.95, "substantial_progress"), (0.9499, "moderate_progress"), (0.6, "moderate_progress"),
    (0.5999, "limited_progress"), (0.0, "limited_progress"), (-0.0001, "deterioration"),
])
def test_opensdg_bands(r, expected):
    assert m.classify("open-sdg", "any", "R", r) == expected


@pytest.mark.parametrize("base,current,target,direction,limit,value,status,score", [
    # A: CAGR_o = (55/50)^(1/5) − 1 = 0.0192449; CAGR_r = (70/50)^(1/15) − 1 = 0.0226850;
    #    R = 0.848354; score = 7.1429·0.848354 − 4.2857 = 1.77401
    (50, 55, 70, +1, None, 0.848354, "moderate_progress", 1.77401),
    # B: R = (−1)(−0.0559125)/0.0451584 = 1.238142; score = 7.1429·1.238142 − 4.2857 = 4.55822
    (20, 15, 10, -1, None, 1.238142, "substantial_progress", 4.55822),
    # C: R = (−1)(0.0657628)/0.0149874 = −4.387858; score max(4.1667·R − 2.5, −5) = −5
    (8, 11, 10, -1, None, -4.387858, "deterioration", -5.0),
    # C2: 9 ≤ 10 → target achieved overrides the worsening trend (R = −1.59042); score 5
    (8, 9, 10, -1, None, -1.59042, "target_achieved", 5.0),
    # D: no target, v = 0.0192449 ≥ 0.015; score = min(500·v − 5, 5) = 4.62244
    (100, 110, None, +1, None, 0.0192449, "substantial_progress", 4.62244),
    # D2: v = (99/100)^(1/5) − 1 = −0.0020080 < 0; score = 125·v − 2.5 = −2.75101
    (100, 99, None, +1, None, -0.0020080, "deterioration", -2.75101),
    # E: limit 100, b = 95 ≤ L: C = 1 − 0.95^4.44 = 0.2036705; high = 0.015·C = 0.0030551;
    #    v = (96.5/95)^(1/5) − 1 = 0.0031381 ≥ high; score = 500·v/C − 5 = 2.70396
    (95, 96.5, None, +1, 100, 0.0031381, "substantial_progress", 2.70396),
])
def test_opensdg_vectors(base, current, target, direction, limit, value, status, score):
    result = m.opensdg_progress(base, current, 2015, 2020, direction, target=target,
                                target_year=2030 if target is not None else None, limit=limit)
    assert result["value"] == pytest.approx(value, abs=1e-5)
    assert result["status_id"] == status
    assert m.opensdg_score(result) == pytest.approx(score, abs=1e-4)


def test_opensdg_limit_coefficient_and_not_available():
    result = m.opensdg_progress(95, 96.5, 2015, 2020, +1, limit=100)
    assert result["coefficient"] == pytest.approx(0.2036705, abs=1e-6)
    assert result["high"] == pytest.approx(0.0030551, abs=1e-6)
    assert m.opensdg_progress(5, -1, 2015, 2020, +1)["status_id"] == "not_available"   # opposite signs
    assert m.opensdg_progress(5, 6, 2020, 2020, +1)["status_id"] == "not_available"    # no elapsed time


# ---------------------------------------------------------------- SDSN (§4.2, §4.3)

@pytest.mark.parametrize("latest,q,expected", [
    # r_req = (100 − 40)/(2030 − 2015) = 4.0 a year; r_obs = (s − 40)/6
    (65, 1.041667, "on_track"),             # 25/6 = 4.1667 → q = 1.0417
    (55, 0.625, "moderately_improving"),    # 15/6 = 2.5 → 0.625
    (52, 0.5, "stagnating"),                # 12/6 = 2.0 → 0.5: the documented exception, stagnating
    (38, -0.083333, "decreasing"),          # −2/6 = −0.333 → q = −0.0833
])
def test_sdsn_vectors(latest, q, expected):
    value = m.sdsn_ratio(40, 2015, latest, 2021, 100, 2030, +1)
    assert value == pytest.approx(q, abs=1e-6)
    assert m.classify("sdsn", "any", "q", value) == expected


@pytest.mark.parametrize("q,expected", [
    (1.0, "on_track"), (0.9999, "moderately_improving"), (0.5001, "moderately_improving"),
    (0.5, "stagnating"), (0.0, "stagnating"), (-0.0001, "decreasing"),
])
def test_sdsn_bands(q, expected):
    assert m.classify("sdsn", "any", "q", q) == expected


def test_every_status_has_a_tone_the_reports_know():
    from plananalysis.present.signals import TONES

    table = m.status_labels()
    assert set(table["tone"]) <= set(TONES)
    assert table.set_index(["method", "phase", "status_id"]).loc[("cn-schedule", "final", "estimated_not_completed"), "tone"] == "lagging"
