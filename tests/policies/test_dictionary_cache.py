"""jieba's dictionary cache: used when it is ours and plain data, ignored otherwise."""

from __future__ import annotations

import marshal
import os
import pickle
import tempfile
from pathlib import Path

import pytest

from bot.policies.dictionary_cache import default_cache_dir, initialized_tokenizer


def _only_cache_file(folder: Path) -> Path:
    (path,) = folder.glob("jieba-*.pickle")
    return path


def _mark(path: Path) -> None:
    """Add a word to the cache file: a tokenizer knows it only if it read this file."""
    freq, total = pickle.loads(path.read_bytes())
    freq["银龄测试词"] = 5
    path.write_bytes(pickle.dumps((freq, total)))


def test_the_first_load_writes_the_cache_and_the_next_reads_it(tmp_path: Path) -> None:
    first = initialized_tokenizer(tmp_path)
    path = _only_cache_file(tmp_path)
    assert path.stat().st_mode & 0o077 == 0  # owner only
    _mark(path)
    second = initialized_tokenizer(tmp_path)
    assert second.FREQ.get("银龄测试词") == 5
    assert second.lcut("离休干部的护理费", HMM=False) == first.lcut("离休干部的护理费", HMM=False)


class _Planted:
    """A pickle that would run a command when loaded by a plain unpickler."""

    def __reduce__(self) -> tuple:
        return (os.system, ("touch planted-ran",))


def test_a_planted_pickle_runs_nothing_and_jieba_loads_its_own_way(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    initialized_tokenizer(tmp_path)
    path = _only_cache_file(tmp_path)
    path.write_bytes(pickle.dumps(_Planted()))
    tokenizer = initialized_tokenizer(tmp_path)
    assert not (tmp_path / "planted-ran").exists()
    assert tokenizer.lcut("养老金", HMM=False) == ["养老金"]
    assert pickle.loads(path.read_bytes())[1] == tokenizer.total  # rewritten with the real data


def test_a_folder_others_can_write_is_not_trusted(tmp_path: Path) -> None:
    initialized_tokenizer(tmp_path)
    _mark(_only_cache_file(tmp_path))
    tmp_path.chmod(0o777)
    try:
        assert "银龄测试词" not in initialized_tokenizer(tmp_path).FREQ
    finally:
        tmp_path.chmod(0o700)


def test_a_damaged_cache_is_rebuilt_and_an_old_one_removed(tmp_path: Path) -> None:
    initialized_tokenizer(tmp_path)
    path = _only_cache_file(tmp_path)
    old = tmp_path / "jieba-0000000000000000.pickle"  # another jieba version's
    old.write_bytes(b"old")
    path.write_bytes(path.read_bytes()[:1000])  # cut short, as by a full disk
    assert initialized_tokenizer(tmp_path).lcut("养老金", HMM=False) == ["养老金"]
    assert _only_cache_file(tmp_path) == path and not old.exists()


def test_jieba_s_cache_in_the_shared_tmp_is_never_read(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    with (shared / "jieba.cache").open("wb") as file:  # what anyone on the machine could write
        marshal.dump(({"养": 1, "老": 1, "金": 1, "银龄毒词": 1}, 4), file)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    tokenizer = initialized_tokenizer(tmp_path / "cache")
    assert "银龄毒词" not in tokenizer.FREQ and tokenizer.lcut("养老金", HMM=False) == ["养老金"]


def test_no_home_folder_means_no_cache_not_a_failed_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", "/home/someone")
    assert default_cache_dir() == Path("/home/someone/.cache/yinling")
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert default_cache_dir() is None
    assert initialized_tokenizer().lcut("养老金", HMM=False) == ["养老金"]
