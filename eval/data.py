"""Where the external gold data lies: `../shared/data/` beside the project, or a given path.

The data is read where it lies and never copied into the repository (its licences are
not the project's).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"
ENV_VAR = "ASSISTANT_EVAL_DATA"  # overrides DEFAULT_DATA when set


class DataMissing(FileNotFoundError):
    """External data that is not where it was looked for; the message says where."""


def data_root(path: Path | str | None = None) -> Path:
    """The data folder: `path` if given, else $ASSISTANT_EVAL_DATA, else ../shared/data."""
    if path:
        return Path(path)
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DATA)


def dataset_dir(name: str, path: Path | str | None = None, required: tuple[str, ...] = ()) -> Path:
    """The folder of data set `name` (`path` may be the data root or the set's own folder).

    Raises DataMissing naming the first required file that is not there.
    """
    root = data_root(path)
    folder = root if root.name == name or (required and (root / required[0]).exists()) else root / name
    for filename in required:
        if not (folder / filename).is_file():
            raise DataMissing(f"{name}: {folder / filename} not found (give the data folder with --data, "
                              f"or set {ENV_VAR})")
    return folder
