"""The region list of a plan (regions.csv): official codes, a tree, unambiguous aliases (issue 15.8)."""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import PLAN_DIR, TEST_DATA

COLUMNS = ["code", "name_zh", "name_en", "level", "parent_code", "aliases"]
LEVELS = ["country", "province", "city", "county"]
ZJ = PLAN_DIR / "regions.csv"
HZ = TEST_DATA / "plans" / "hz-demo" / "regions.csv"


def _read(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(frame.columns) == COLUMNS
    return frame


@pytest.fixture(scope="module", params=[ZJ, HZ], ids=["zj-social-14th", "hz-demo"])
def regions(request):
    return _read(request.param)


def test_codes_are_six_digits_and_unique(regions):
    assert regions["code"].str.fullmatch(r"\d{6}").all()
    assert regions["code"].is_unique and regions["name_zh"].is_unique


def test_the_regions_form_one_tree(regions):
    codes = set(regions["code"])
    top = regions[regions["parent_code"] == ""]
    assert len(top) == 1                                   # one region at the top: the plan's own
    assert set(regions["parent_code"]) - {""} <= codes     # every parent exists
    level = dict(zip(regions["code"], regions["level"]))
    assert regions["level"].isin(LEVELS).all()
    for row in regions.itertuples():
        if row.parent_code:
            # one step down the tree, and the code extends the parent's (3301xx under 330100)
            assert LEVELS.index(row.level) == LEVELS.index(level[row.parent_code]) + 1, row.code
            prefix = {"city": 2, "county": 4}[row.level]
            assert row.code[:prefix] == row.parent_code[:prefix] and row.parent_code[prefix:] == "0" * (6 - prefix)


def test_names_and_aliases(regions):
    assert regions["name_en"].str.fullmatch(r"[A-Za-z' ]+").all()
    assert regions["name_zh"].str.fullmatch(r"[\u4e00-\u9fff]+(省|市|区|县)").all()
    aliases = [(a, row.name_zh) for row in regions.itertuples() for a in row.aliases.split("|") if a]
    names = set(regions["name_zh"])
    seen = [a for a, _ in aliases]
    assert len(seen) == len(set(seen))                     # an alias names one region only
    for alias, name in aliases:
        assert alias not in names and alias[:2] == name[:2], (alias, name)


def test_zhejiang_counts():
    # Zhejiang (2024, unchanged since 2021): 1 province, 11 设区市 and 90 county-level units =
    # 37 市辖区 + 20 县级市 + 33 县 (景宁畲族自治县 included). Source: the Ministry of Civil
    # Affairs' 县级以上行政区划代码, as kept in yescallop/areacodes data/2024.txt (same 102 codes
    # in its 2023.txt and in the NBS 统计用区划代码 copy, modood/Administrative-divisions-of-China
    # dist/areas.csv); see sources.yml.
    regions = _read(ZJ)
    assert regions["level"].value_counts().to_dict() == {"province": 1, "city": 11, "county": 90}
    counties = regions[regions["level"] == "county"]["name_zh"]
    assert counties.str.endswith("区").sum() == 37
    assert counties.str.endswith("市").sum() == 20
    assert counties.str.endswith("县").sum() == 33
    top = regions.set_index("code").loc["330000"]
    assert (top["name_zh"], top["level"], top["parent_code"]) == ("浙江省", "province", "")


def test_hangzhou_after_the_2021_reorganisation():
    # April 2021: 下城区 (330103) merged into 上城区, 江干区 (330104) split; 临平区 and 钱塘区 created.
    regions = _read(ZJ).set_index("code")
    assert {"330103", "330104"}.isdisjoint(regions.index)
    assert regions.loc["330113", "name_zh"] == "临平区" and regions.loc["330114", "name_zh"] == "钱塘区"
    assert (regions["parent_code"] == "330100").sum() == 13


def test_the_demo_plan_lists_hangzhou_as_in_the_province_file():
    zj, hz = _read(ZJ).set_index("code"), _read(HZ).set_index("code")
    assert hz[hz["parent_code"] == ""].index.tolist() == ["330100"]
    assert hz["level"].value_counts().to_dict() == {"city": 1, "county": 13}
    shared = ["name_zh", "name_en", "level", "aliases"]
    assert hz[shared].equals(zj.loc[hz.index, shared])
    assert (hz.drop(index="330100")["parent_code"] == "330100").all()


def test_a_text_ending_in_xian_is_not_a_region():
    """The point of the list: text ending in 市/县/区 that names no listed region (a scope such as
    山区26县, a district abolished in 2021, another province's 象山区) is not a region."""
    names = set(_read(ZJ)["name_zh"])
    aliases = {a for cell in _read(ZJ)["aliases"] for a in cell.split("|") if a}
    for text in ("山区26县", "江干区", "下城区", "象山区"):
        assert text not in names and text not in aliases
