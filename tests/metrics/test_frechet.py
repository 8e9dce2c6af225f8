import math

import numpy as np
import pytest

from inrvid.runtime.scoring.frechet import (
    feature_statistics,
    frechet_distance,
    frechet_distance_of_features,
)

METHODS = ["eigh", "sqrtm", "eigvals"]


@pytest.mark.parametrize("method", METHODS)
def test_f1_shifted_scaled_identity_gives_seven(method):
    fd = frechet_distance(np.zeros(2), np.eye(2), np.array([1.0, 2.0]), 4 * np.eye(2), method)
    assert fd == pytest.approx(7.0, abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_f2_commuting_diagonal_covariances_give_eight(method):
    fd = frechet_distance(np.zeros(2), np.diag([1.0, 4.0]), np.zeros(2), np.diag([9.0, 16.0]), method)
    assert fd == pytest.approx(8.0, abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_f3_non_commuting_covariances_match_closed_form(method):
    fd = frechet_distance(
        np.zeros(2), np.array([[2.0, 1.0], [1.0, 2.0]]), np.zeros(2), np.diag([1.0, 4.0]), method
    )
    expected = 9 - 2 * math.sqrt(10 + 4 * math.sqrt(3))
    assert expected == pytest.approx(0.7712204477, abs=1e-10)
    assert fd == pytest.approx(expected, abs=1e-13)


def test_f4_sample_sets_give_79_over_3_with_n_minus_1_and_26_with_n():
    a = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    b = 2 * a + np.array([3.0, 4.0])
    assert frechet_distance_of_features(a, b, "n-1") == pytest.approx(79 / 3, abs=1e-12)
    assert frechet_distance_of_features(a, b, "n") == pytest.approx(26.0, abs=1e-12)


def test_f5_one_dimensional_gaussians():
    fd = frechet_distance(np.zeros(1), np.eye(1), np.zeros(1), 4 * np.eye(1))
    assert fd == pytest.approx(1.0, abs=1e-12)
    fd = frechet_distance(np.array([1.5]), np.array([[4.0]]), np.array([-0.5]), np.array([[9.0]]))
    assert fd == pytest.approx(2.0**2 + 1.0**2, abs=1e-12)


def test_fd_of_a_set_against_itself_is_zero_relative_to_its_trace():
    x = np.random.default_rng(0).normal(size=(600, 64)) * np.linspace(0.1, 3, 64)
    _, sigma = feature_statistics(x)
    for method in METHODS:
        fd = frechet_distance_of_features(x, x, method=method)
        assert abs(fd) <= 1e-6 * np.trace(sigma), method


def test_fd_of_a_singular_set_against_itself_is_tiny_and_not_clipped():
    x = np.random.default_rng(1).normal(size=(50, 400))
    _, sigma = feature_statistics(x)
    fd = frechet_distance_of_features(x, x)
    assert abs(fd) <= 1e-6 * np.trace(sigma)


def test_fd_is_symmetric_and_eigh_agrees_with_scipy_sqrtm_on_random_features():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(300, 40))
    b = rng.normal(size=(250, 40)) @ rng.normal(size=(40, 40)) * 0.3 + 0.5
    ab = frechet_distance_of_features(a, b, method="eigh")
    ba = frechet_distance_of_features(b, a, method="eigh")
    assert ab == pytest.approx(ba, rel=1e-9)
    assert frechet_distance_of_features(a, b, method="sqrtm") == pytest.approx(ab, rel=1e-6)
    assert frechet_distance_of_features(a, b, method="eigvals") == pytest.approx(ab, rel=1e-6)


def test_fd_is_invariant_to_shared_rotation_and_translation_and_scales_quadratically():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(200, 8)), rng.normal(size=(200, 8)) * 1.5 + 0.2
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    shift = rng.normal(size=8)
    base = frechet_distance_of_features(a, b)
    moved = frechet_distance_of_features(a @ q + shift, b @ q + shift)
    assert moved == pytest.approx(base, rel=1e-9)
    assert frechet_distance_of_features(3 * a, 3 * b) == pytest.approx(9 * base, rel=1e-9)


def test_feature_statistics_does_not_modify_its_input():
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    before = x.copy()
    feature_statistics(x)
    assert np.array_equal(x, before)


def test_bad_inputs_are_rejected_with_the_shapes_named():
    with pytest.raises(ValueError, match="expected 'n d'"):
        feature_statistics(np.zeros(5))
    with pytest.raises(ValueError, match="'n-1' or 'n'"):
        feature_statistics(np.zeros((5, 2)), "N")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expected equal 'd'"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
