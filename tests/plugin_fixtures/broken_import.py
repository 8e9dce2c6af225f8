import not_a_real_module_for_inrvid_tests  # noqa: F401

INRVID_API = "1.0"
