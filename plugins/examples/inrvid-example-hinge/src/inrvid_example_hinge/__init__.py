"""inrvid-example-hinge: the hinge GAN loss as a third-party inrvid plug-in."""
