from inrvid import hookimpl

INRVID_API = "1.0"


@hookimpl
def inrvid_register_component(registrar):
    pass
