"""Device choice for the generation commands."""

from __future__ import annotations

import torch


def pick_device(choice: str) -> torch.device:
    """`auto` -> CUDA when available, else CPU; otherwise the named device."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)
