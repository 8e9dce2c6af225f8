"""The `inrvid data` command: summarise and check a recipe's dataset.

A command package: it imports every layer below the commands (runtime, recipe, loading,
video, components, base), never another command package or `inrvid.cli`.
"""
