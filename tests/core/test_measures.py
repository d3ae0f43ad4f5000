"""Outcome-measure scoring follows the published rules; change is judged against the MCID."""

from __future__ import annotations

import pytest

from ptassist.core.measures import (
    MeasureError,
    compare,
    load_measures,
    score_lefs,
    score_nprs,
    score_odi,
    score_psfs,
    score_start_back,
)


def test_lefs_sums_twenty_items():
    assert score_lefs([4] * 20).value == 80
    assert score_lefs([0] * 20).value == 0
    assert score_lefs([3, 2] * 10).value == 50


def test_lefs_is_never_pro_rated():
    score = score_lefs([4] * 18 + [None, None])
    assert score.value is None and not score.complete
    assert "19, 20" in score.message and "not pro-rated" in score.message


def test_odi_denominator_shrinks_by_five_per_unanswered_section():
    # The reference's own example: 16 points over 9 sections -> 16/45 = 35.6 %.
    score = score_odi([2, 2, 2, 2, 2, 2, 2, 2, 0, None])
    assert score.value == 35.6
    assert score.band == "moderate disability"
    assert score_odi([5] * 10).value == 100
    assert score_odi([1] * 10).value == 20 and score_odi([1] * 10).band == "minimal disability"


def test_odi_needs_at_least_eight_sections():
    assert score_odi([3] * 8 + [None, None]).value == 60
    seven = score_odi([3] * 7 + [None] * 3)
    assert seven.value is None and "at least 8" in seven.message


def test_start_back_total_and_distress_subscale():
    low = score_start_back([1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert (low.value, low.band) == (3, "low risk")
    medium = score_start_back([1, 1, 1, 1, 1, 0, 0, 0, 2])
    assert (medium.value, medium.subscale, medium.band) == (5, 1, "medium risk")
    high = score_start_back([0, 0, 0, 0, 1, 1, 1, 1, 3])
    assert (high.value, high.subscale, high.band) == (5, 5, "high risk")
    # Bothersomeness counts only for "very much" (3) or "extremely" (4).
    assert score_start_back([0] * 8 + [2]).value == 0
    assert score_start_back([0] * 8 + [4]).value == 1


def test_psfs_is_the_mean_of_the_activities():
    assert score_psfs([3, 5, 7]).value == 5
    assert score_psfs([]).value is None


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: score_lefs([5] * 20), "item 1: 5 is outside 0-4"),
        (lambda: score_lefs([4] * 19), "has 20 items"),
        (lambda: score_odi([True] * 10), "item 1: must be a whole number"),
        (lambda: score_nprs(11), "0 to 10"),
        (lambda: score_psfs([11]), "activity 1"),
        (lambda: score_psfs([5] * 6), "at most 5"),
        (lambda: score_start_back([2] * 9), "item 1"),
        (lambda: compare("STarTBack", 3, 1), "not a change measure"),
        (lambda: compare("LEFS", 90, 10), "outside"),
    ],
)
def test_bad_item_scores_are_rejected_naming_the_item(call, words):
    with pytest.raises(MeasureError, match=words):
        call()


def test_mcid_comparisons():
    assert compare("LEFS", 40, 49).passes_mcid
    assert not compare("LEFS", 40, 48).passes_mcid
    assert compare("NPRS", 7, 5).passes_mcid
    assert compare("NPRS", 3, 2).passes_mcid  # 33% reduction meets the 30% threshold
    assert not compare("NPRS", 8, 7).passes_mcid
    assert compare("ODI", 40, 30).passes_mcid
    assert not compare("ODI", 40, 34).passes_mcid
    assert compare("ODI", 20, 14).passes_mcid  # 30% of a low baseline
    assert compare("PSFS", 4, 6).passes_mcid
    assert not compare("NPRS", 4, 6).passes_mcid  # worse is never an important improvement


def test_thresholds_carry_their_sources():
    measures = load_measures()
    assert measures["LEFS"].mcid_points == 9 and "Binkley1999" in measures["LEFS"].sources
    assert measures["ODI"].mcid_points == 10 and measures["ODI"].mcid_percent == 30
    assert compare("NPRS", 6, 3).threshold == "2 points or 30% improvement"
