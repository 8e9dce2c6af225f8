from inrvid import hookimpl


@hookimpl
def inrvid_register_components(registrar):
    pass
