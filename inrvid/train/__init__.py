"""Training: the loop, its phases, checkpoints and records, and data parallelism."""
