"""One NLTK module without the rest of NLTK.

`import nltk.stem.snowball` (or `nltk.tokenize.punkt`) first runs `nltk/__init__`, which imports
all of NLTK and through it SciPy, scikit-learn and pandas: 1.5 s or more at every start of a
command that only stems words or splits sentences. `nltk_module(name)` loads the module alone:
while it loads, NLTK and its sub-packages are entered as bare packages (their `__init__` files
do not run), and every `nltk` entry made for it is dropped afterwards, so a later `import nltk`
anywhere imports the real package as usual. The module's code is NLTK's own, unchanged; where
NLTK is already imported, or the light load fails, the ordinary import is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import types
from pathlib import Path

log = logging.getLogger(__name__)


def nltk_module(name: str) -> types.ModuleType:
    """The NLTK module `name` (e.g. "nltk.stem.snowball"), imported without `nltk/__init__`."""
    if not name.startswith("nltk.") or "nltk" in sys.modules:
        return importlib.import_module(name)
    before = set(sys.modules)
    try:
        spec = importlib.util.find_spec("nltk")
        root = Path(spec.submodule_search_locations[0])
        for init in [root / "__init__.py", *root.glob("*/__init__.py")]:
            package = "nltk" if init.parent == root else f"nltk.{init.parent.name}"
            sys.modules[package] = types.ModuleType(package)
            sys.modules[package].__path__ = [str(init.parent)]
        # `from nltk.corpus import stopwords` (the snowball module) is a lazy corpus loader in
        # NLTK, read only for ignore_stopwords=True; a bare package has no such name.
        sys.modules["nltk.corpus"].stopwords = None
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - any surprise: the ordinary import gives the same module
        log.debug("light import of %s failed (%s); importing all of nltk", name, exc)
    finally:
        for loaded in set(sys.modules) - before:
            if loaded == "nltk" or loaded.startswith("nltk."):
                del sys.modules[loaded]
    return importlib.import_module(name)
