INRVID_API = "1.0"


def inrvid_register_components(registrar):
    pass
