import numpy as np

from inrvid.runtime.scoring.cache import FeatureCache, default_cache_dir, feature_key


def test_saved_features_load_back_with_their_meta(tmp_path):
    cache = FeatureCache(tmp_path)
    feats = np.random.default_rng(0).normal(size=(3, 5, 4))
    key = feature_key("ucf101", {"name": "digan"}, "ab" * 32, "i3d")
    cache.save(key, feats, {"n": 5})
    loaded, meta = cache.load(key)
    assert np.array_equal(loaded, feats) and meta == {"n": 5}
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.npz"]


def test_key_changes_with_dataset_protocol_weights_and_extractor():
    base = ("ucf101", {"name": "digan", "frames": 16}, "00" * 32, "i3d")
    keys = {
        feature_key(*base),
        feature_key("sky", *base[1:]),
        feature_key(base[0], {"name": "digan", "frames": 128}, *base[2:]),
        feature_key(*base[:2], "11" * 32, base[3]),
        feature_key(*base[:3], "inception"),
    }
    assert len(keys) == 5


def test_a_missing_or_corrupt_file_is_a_miss(tmp_path):
    cache = FeatureCache(tmp_path)
    assert cache.load("nothing") is None
    cache.path("broken").write_bytes(b"not an npz")
    assert cache.load("broken") is None


def test_cache_folder_comes_from_inrvid_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("INRVID_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("INRVID_CACHE")
    assert default_cache_dir().parts[-3:] == (".cache", "inrvid", "features")
