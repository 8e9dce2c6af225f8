import numpy as np
import pytest

from inrvid.runtime.scoring.mmd import kernel_distance, mmd2_unbiased, polynomial_kernel


def test_k1_one_dimensional_sets_give_minus_13():
    assert mmd2_unbiased([[0.0], [1.0]], [[0.0], [2.0]]) == pytest.approx(-13.0, abs=1e-12)


def test_k2_identical_finite_sets_give_minus_39_5_not_zero():
    x = [[1.0], [2.0]]
    assert mmd2_unbiased(x, x) == pytest.approx(-39.5, abs=1e-12)


def test_k3_two_dimensional_sets_give_minus_19_over_8():
    x = [[1.0, 0.0], [0.0, 1.0]]
    y = [[1.0, 1.0], [0.0, 0.0]]
    assert mmd2_unbiased(x, y) == pytest.approx(-19 / 8, abs=1e-12)


def test_k4_set_against_its_double_gives_137_over_36():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert mmd2_unbiased(x, 2 * x) == pytest.approx(137 / 36, abs=1e-12)


def test_k5_independent_gaussians_are_near_zero_and_a_shift_is_about_0_95():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2048, 400)), rng.normal(size=(2048, 400))
    assert abs(mmd2_unbiased(x, y)) < 1e-3
    assert 0.9 < mmd2_unbiased(x, y + 0.5) < 1.0


def test_k6_one_subset_of_the_whole_set_equals_the_full_estimator():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 5)), rng.normal(size=(40, 5)) + 0.3
    mean, std = kernel_distance(x, y, subsets=1, subset_size=40)
    assert mean == pytest.approx(mmd2_unbiased(x, y), rel=1e-10)
    assert std == 0.0
    assert kernel_distance(x, y) == (mmd2_unbiased(x, y), 0.0)


def test_kernel_defaults_are_cubic_with_gamma_one_over_d_and_coef_one():
    x = np.array([[1.0, 2.0]])
    y = np.array([[3.0, -1.0]])
    assert polynomial_kernel(x, y)[0, 0] == pytest.approx((1 / 2 * 1.0 + 1) ** 3)


def test_mismatched_dimensions_are_rejected():
    with pytest.raises(ValueError, match="expected equal"):
        mmd2_unbiased(np.zeros((3, 2)), np.zeros((3, 4)))
