from inrvid import hookimpl

INRVID_API = "2.0"


@hookimpl
def inrvid_register_components(registrar):
    pass
