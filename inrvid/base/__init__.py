"""Foundation: errors, console output, files, limits, tensors, pixels, time axis, random streams.

The bottom layer. It holds what every other layer uses and knows nothing of components,
plug-ins, recipes or commands: its modules import each other, the standard library, torch and
numpy, never another package of inrvid.
"""
