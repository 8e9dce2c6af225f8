"""A metric's `resolution: native` keeps generated frames at their own size."""

from inrvid.loading.plugins import load_plugins


def test_native_resolution_disables_the_protocols_resize():
    config = load_plugins().registry("metric").get("swd").config
    native = config.model_validate({"protocol": "proxy", "resolution": "native"})
    assert native.resolved_protocol().resolution is None
    assert config.model_validate({"protocol": "proxy"}).resolved_protocol().resolution == 128
    assert config.model_validate({"protocol": "proxy", "resolution": 64}).resolved_protocol().resolution == 64
