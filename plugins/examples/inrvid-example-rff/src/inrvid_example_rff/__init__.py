"""inrvid-example-rff: a Gaussian random-Fourier-feature coordinate encoder for inrvid."""
