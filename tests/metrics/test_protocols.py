import pydantic
import pytest

from inrvid.runtime.scoring.protocols import PROTOCOLS, get_protocol


def test_digan_preset_fixes_selection_frames_size_counts_and_trials():
    p = get_protocol("digan")
    assert (p.fake_videos, p.real_videos, p.frames, p.resolution, p.trials) == (2048, 2048, 16, 128, 10)
    assert p.real_selection == "random_windows"
    assert p.uint8_cast == "truncate" and p.feature_resize == "short_side_crop"
    assert p.covariance_divisor == "n-1" and p.kvd_subsets == 0


def test_stylegan_v_presets_take_the_first_videos_at_256_with_n_covariance():
    p16, p128 = get_protocol("stylegan_v_fvd2048_16f"), get_protocol("stylegan_v_fvd2048_128f")
    assert (p16.frames, p128.frames) == (16, 128)
    for p in (p16, p128):
        assert p.real_selection == "first_videos" and p.resolution == 256
        assert p.covariance_divisor == "n" and p.trials == 1 and p.feature_resize == "stretch"


def test_proxy_preset_is_small():
    p = get_protocol("proxy")
    assert p.fake_videos <= 512 and p.real_videos <= 512 and p.trials == 1


def test_aliases_from_the_metrics_reference_select_the_same_presets():
    assert get_protocol("digan128") is PROTOCOLS["digan"]
    assert get_protocol("styleganv256_16f") is PROTOCOLS["stylegan_v_fvd2048_16f"]


def test_overrides_apply_and_are_validated():
    p = get_protocol("digan", fake_videos=4, trials=None)
    assert p.fake_videos == 4 and p.trials == 10
    with pytest.raises(pydantic.ValidationError):
        get_protocol("digan", fake_videos=0)


def test_unknown_protocol_names_close_matches_and_every_preset():
    with pytest.raises(ValueError, match="did you mean 'digan'") as info:
        get_protocol("digann")
    assert "stylegan_v_fvd2048_16f" in str(info.value)
