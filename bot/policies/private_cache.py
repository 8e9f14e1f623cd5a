"""Plain data kept between starts in the user's own cache folder: jieba's dictionary
(dictionary_cache), the features of the asked questions (similar) and the second stage's models
built of them (likeness).

A file is read with an unpickler that accepts plain data only (no class or function can be named
in it), and only from a folder owned by this user and writable by no one else, so a planted file
cannot run code; anything wrong with it (missing, damaged, of another shape) reads as absent and
the caller builds the data again. Writes are whole or nothing, owner only, and a failure only logs.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


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


def code_digest(*paths: Path) -> str:
    """The files' bytes, hashed: for a cache key that names the code building what is kept. Taken
    when the module is imported, so that it names the code running, not a newer one on disk."""
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()


def is_table(data: Any, key: type, value: type) -> bool:
    """data is a dict whose keys are all of type key and values of type value (empty too): a
    file's shape, checked at the speed of set building (a likeness's 131,000 postings)."""
    return type(data) is dict and _types(data) <= {key} and _types(data.values()) <= {value}


def _types(values: Iterable[Any]) -> set[type]:
    return {type(v) for v in values}


def read(path: Path, valid: Callable[[Any], bool]) -> Any | None:
    """The plain data in path when the folder is ours and valid(data) holds; else None."""
    if not _is_private(path.parent):
        return None
    collecting = gc.isenabled()
    # Plain data holds no reference cycles: the collector's passes over the whole heap, which the
    # tuples of a big file set off again and again, find nothing (a likeness's index: 0.11 s read
    # with them, 0.03 s without, measured 2026-12-05). The whole process's collection waits for
    # the read (a fraction of a second), and is switched on again only if it was on before.
    gc.disable()
    try:
        with path.open("rb") as file:
            data = _PlainData(file).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged file raises nearly anything: it is rebuilt
        log.warning("缓存文件读不了，改为重新计算：%s（%s）", path.name, exc)
        return None
    finally:
        if collecting:
            gc.enable()
    if not _holds(valid, data):
        log.warning("缓存文件内容不对，改为重新计算：%s", path.name)
        return None
    return data


def _holds(valid: Callable[[Any], bool], data: Any) -> bool:
    """valid(data), a check tripping on a shape it did not foresee (a key missing, a list where a
    dict was written) counting as a no: such a file is rebuilt too."""
    try:
        return valid(data)
    except Exception:
        return False


def write(path: Path, data: Any, *, family: str, keep: int = 1) -> None:
    """Write data to path, then remove the other files of its family (a glob: older keys') but
    the keep - 1 newest."""
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
        others = sorted((f for f in folder.glob(family) if f != path), key=_modified, reverse=True)
        for stale in others[keep - 1:]:  # older keys': not read again soon, if ever
            stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("缓存文件写不了（不影响使用，只是启动慢一些）：%s（%s）", path.name, exc)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process removed it meanwhile: the oldest
        return 0.0


class _PlainData(pickle.Unpickler):
    """Unpickles dicts, tuples, strings and numbers; refuses anything that names a class."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"不接受的数据类型：{module}.{name}")


def _is_private(folder: Path) -> bool:
    """Ours alone: owned by this user and writable by nobody else."""
    try:
        stat = folder.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022
