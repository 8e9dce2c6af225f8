"""StyleGAN2's building blocks, shared by the first-party plug-ins (no entry point of its own).

`layers` (equalized-lr linear and convolution layers, FIR filter, minibatch std),
`modulated` (modulated convolutions and ToRGB), `mapping` (the mapping network),
`discriminator` (the residual discriminator block) and `video` (the square-side check). DIGAN,
StyleGAN-V and the 3D video discriminator import these public names; none of them imports
another plug-in's private names. It imports the core (`inrvid.base`, `inrvid.components`) only.
"""
