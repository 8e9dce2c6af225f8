"""Contracts: the registry, one module per component kind, the hook specifications.

The base classes and pydantic configs a plug-in implements (generator, encoder, discriminator,
loss, augment, sampler, dataset, metric), the `Registry` they register in, the hook
specifications and the `CommandTable` plug-ins add commands with. These modules import each
other and `inrvid.base`, nothing above.
"""
