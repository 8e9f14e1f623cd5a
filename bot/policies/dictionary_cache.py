"""jieba's dictionary, loaded at start-up from a private cache three times faster than jieba's own.

jieba keeps its prefix dictionary (some 500,000 words and prefixes) in a marshal file under /tmp;
loading it was 0.6–0.7 s of a worker's ~1.1 s start-up. The same data as a pickle loads in about
0.2 s (measured 2026-12-04 on this 2-core machine: 0.58–0.76 s against 0.19–0.21 s). The pickle is
kept in the user's own cache folder and read with an unpickler that accepts plain data only (no
class or function can be named in it), so a planted file cannot run code. Without it (the first
start, no home folder, a damaged file) the dictionary is built from jieba's dictionary file
itself (about 0.6 s), never read from jieba's cache in the shared /tmp, which anyone could have
written and which would then be copied into ours.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

import jieba

log = logging.getLogger(__name__)


def initialized_tokenizer(cache_dir: Path | None = None) -> jieba.Tokenizer:
    """A jieba tokenizer with its dictionary loaded, from the cache when it holds this dictionary."""
    tokenizer = jieba.Tokenizer()
    folder = cache_dir or default_cache_dir()
    path = folder / f"jieba-{_dictionary_key()}.pickle" if folder else None
    loaded = _read(path) if path is not None and _is_private(path.parent) else None
    if loaded is None:
        loaded = tokenizer.gen_pfdict(tokenizer.get_dict_file())  # the file: jieba's own, read-only
        if path is not None:
            _write(path, loaded)
    tokenizer.FREQ, tokenizer.total = loaded
    tokenizer.initialized = True
    return tokenizer


def default_cache_dir() -> Path | None:
    """The user's cache folder (XDG_CACHE_HOME, else ~/.cache), yinling inside it; None when the
    user has no home folder (a service account in a container)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if not base.is_absolute():  # unset, or relative: the XDG rules say to ignore it
        try:
            base = Path.home() / ".cache"
        except RuntimeError:
            return None
    return base / "yinling"


def _dictionary_key() -> str:
    """jieba's version and its dictionary file's size and time: another of either is another cache."""
    stat = (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).stat()
    key = f"{jieba.__version__}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class _PlainData(pickle.Unpickler):
    """Unpickles dicts, tuples, strings and numbers; refuses anything that names a class."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"不接受的数据类型：{module}.{name}")


def _read(path: Path) -> tuple[dict[str, int], int] | None:
    try:
        with path.open("rb") as file:
            data = _PlainData(file).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged file raises nearly anything: it is rebuilt
        log.warning("jieba 词典缓存读不了，改为重新载入：%s", exc)
        return None
    if not (isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], dict)
            and isinstance(data[1], int)):
        log.warning("jieba 词典缓存内容不对，改为重新载入：%s", path)
        return None
    return data


def _is_private(folder: Path) -> bool:
    """Ours alone: owned by this user and writable by nobody else."""
    try:
        stat = folder.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def _write(path: Path, data: tuple[dict[str, int], int]) -> None:
    """Written whole or not at all (a temporary file renamed), owner only; a failure only logs."""
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _is_private(folder):
            return
        descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        for stale in folder.glob("jieba-*.pickle"):  # another jieba's: never read again
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("jieba 词典缓存写不了（不影响使用，只是启动慢一些）：%s", exc)
