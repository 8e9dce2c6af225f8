import math

import numpy as np
import pytest

from inrvid.runtime.scoring.inception_score import inception_score


def test_i1_identical_uniform_rows_score_one():
    assert inception_score(np.full((7, 5), 0.2))[0] == pytest.approx(1.0, abs=1e-12)


def test_i2_one_hot_rows_on_distinct_classes_score_n():
    assert inception_score(np.eye(101))[0] == pytest.approx(101.0, rel=1e-12)


def test_i3_two_pairs_of_one_hot_rows_score_two():
    probs = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    assert inception_score(probs)[0] == pytest.approx(2.0, abs=1e-12)


def test_i4_half_and_one_hot_rows():
    expected = (4 / 3) ** 0.75
    assert expected == pytest.approx(1.2408064788, abs=1e-10)
    assert inception_score([[0.5, 0.5], [1.0, 0.0]])[0] == pytest.approx(expected, abs=1e-10)


def test_i5_soft_rows():
    expected = math.exp(0.9 * math.log(1.8) + 0.1 * math.log(0.2))
    assert inception_score([[0.9, 0.1], [0.1, 0.9]])[0] == pytest.approx(expected, abs=1e-10)
    assert expected == pytest.approx(1.4449348112, abs=1e-9)


def test_i6_split_size_changes_the_score():
    assert inception_score(np.eye(4), splits=2) == pytest.approx((2.0, 0.0), abs=1e-12)
    assert inception_score(np.eye(4), splits=1)[0] == pytest.approx(4.0, abs=1e-12)


def test_exact_zeros_give_a_finite_score():
    mean, std = inception_score(np.eye(3), splits=1)
    assert np.isfinite(mean) and np.isfinite(std)


def test_rows_that_are_not_probabilities_are_rejected():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score([[0.5, 0.2], [0.3, 0.3]])
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.eye(3), splits=4)
