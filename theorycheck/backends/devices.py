"""Device names: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"``, resolved where the runs execute."""

from __future__ import annotations

import re


def cuda_available() -> bool:
    """Whether torch is installed and sees a CUDA device (torch is imported only here)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str, cuda: bool | None = None, where: str = "on this machine") -> str:
    """``"auto"`` means CUDA when present, else the CPU. Asking for CUDA where there is none
    is an error, whether or not the runs are already stored.

    ``cuda``: whether CUDA is available where the runs execute (default: in this process);
    ``where`` names that place in the error.
    """
    if not isinstance(device, str) or not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    if device == "cpu":
        return device
    has_cuda = cuda_available() if cuda is None else cuda
    if device == "auto":
        return "cuda" if has_cuda else "cpu"
    if not has_cuda:
        raise ValueError(f"device {device!r} was asked for but CUDA is not available {where}; "
                         "use --device cpu or auto")
    return device
