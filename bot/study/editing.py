"""A month's study material written in the console: the draft a form holds, the article file it
becomes (TOML front matter + Markdown, the format `content check` reads), and saving it.

Saved where the pushes and the reading page read it, content/study/<month>/article.md, with its
audio and pictures beside it. The article is written to a temporary file and moved into place in
one step, so a worker never reads half a file; each worker's cache (bot.study.material.load)
notices the new file by its inode, size and time, so every worker and the scheduler use the new
material at once, without a restart. (Several machines need the content folder shared.)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from bot.study.material import (
    ALL,
    FENCE,
    MONTH,
    Material,
    MaterialError,
    check_pictures,
    missing_pictures,
    parse,
    study_dir,
)

AUDIO = {".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"), ".m4a": (b"ftyp",)}
IMAGES = {".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG\r\n\x1a\n",),
          ".gif": (b"GIF87a", b"GIF89a")}
MB = 1024 * 1024
MAX_AUDIO = 30 * MB  # a half-hour talk, read aloud
MAX_IMAGE = 5 * MB


@dataclass
class Draft:
    """A month's material as staff edit it; rendered to the article file to be checked."""

    month: str
    title: str = ""
    groups: list[str] = field(default_factory=lambda: [ALL])
    summary: list[str] = field(default_factory=list)
    body: str = ""
    audio: str = ""
    images: list[str] = field(default_factory=list)
    quiz: list[dict[str, object]] = field(default_factory=list)  # question, choices, answer, explain

    @classmethod
    def of(cls, material: Material) -> Draft:
        """The draft of a material on file."""
        return cls(material.month, material.title, list(material.groups), list(material.summary),
                   material.body, material.audio or "", list(material.images),
                   [{"question": q.question, "choices": list(q.choices), "answer": q.answer,
                     "explain": q.explain} for q in material.quiz])

    def article(self) -> str:
        """The article file: front matter as `content check` reads it, then the Markdown."""
        front = [f"title = {_toml(self.title)}", f"month = {_toml(self.month)}",
                 f"groups = {_toml(self.groups)}", f"summary = {_toml(self.summary)}"]
        front += [f"audio = {_toml(self.audio)}"] if self.audio else []
        front += [f"images = {_toml(self.images)}"] if self.images else []
        for question in self.quiz:
            front += ["", "[[quiz]]"] + [f"{key} = {_toml(question.get(key, ''))}"
                                         for key in ("question", "choices", "answer", "explain")]
        return "\n".join([FENCE, *front, FENCE, self.body.strip(), ""])

    def preview(self) -> Material:
        """The material as the reading page would show it, checked or not (for a preview; the
        page shows no quiz)."""
        return Material(self.month, self.title, tuple(self.groups), tuple(self.summary), self.body,
                        quiz=(), audio=self.audio or None, images=tuple(self.images))


def check_upload(name: str, head: bytes, size: int, *, audio: bool) -> str:
    """The name an upload is kept under, if it is the audio or picture it says it is and not too
    large; MaterialError says what is wrong with it."""
    suffix = Path(name).suffix.lower()
    kinds, limit, what = (AUDIO, MAX_AUDIO, "录音") if audio else (IMAGES, MAX_IMAGE, "图片")
    if suffix not in kinds:
        raise MaterialError(f"{name}：{what}只收 {'、'.join(kinds)} 文件。")
    if not any(magic in head[:12] for magic in kinds[suffix]):
        raise MaterialError(f"{name}：文件内容不是{what}（扩展名和内容对不上）。")
    if size > limit:
        raise MaterialError(f"{name}：{what}太大（{size / MB:.1f} MB），不要超过 {limit // MB} MB。")
    stem = "".join(c for c in Path(name).stem if c.isalnum() or c in "-_")[:40] or "file"
    return f"{stem}{suffix}"


@dataclass(frozen=True)
class Upload:
    """A recording or picture sent with the form, under the name check_upload gave it."""

    name: str
    stream: BinaryIO
    audio: bool


def draft_problems(content_dir: Path, draft: Draft, uploads: list[Upload]) -> list[str]:
    """Everything save() would refuse in the draft with these uploads, each in a sentence; nothing
    is written (the uploads count as there)."""
    if not MONTH.match(draft.month):
        return ["月份应写成 2026-12 这样。"]
    if any(Path(name).name != name or name.startswith(".") for name in [draft.audio, *draft.images] if name):
        return ["录音、图片只能用这个月份文件夹里的文件。"]
    folder = study_dir(content_dir) / draft.month
    coming = {upload.name for upload in uploads}
    found = missing_pictures(draft.body, folder, coming)
    try:
        parse(_with(draft, [(u.name, u.audio) for u in uploads]).article(), draft.month, folder, coming)
    except MaterialError as exc:
        return exc.problems + found
    return found


def save(content_dir: Path, draft: Draft, uploads: list[Upload]) -> Material:
    """Keep the uploads beside the article, each under a name no file there has yet (a file
    already there is never replaced: the article on file may use it), name them in the draft,
    check the article by `content check`'s rules and put it in place. MaterialError (naming every
    problem) if wrong: then nothing is written, and the draft still names only files that are there."""
    if found := draft_problems(content_dir, draft, uploads):
        raise MaterialError(*found)
    folder = study_dir(content_dir) / draft.month
    folder.mkdir(parents=True, exist_ok=True)
    added: list[Path] = []
    try:
        for upload in uploads:
            added.append(_keep_new(folder, upload.name, upload.stream))
        kept = _with(draft, [(path.name, upload.audio) for path, upload in zip(added, uploads, strict=True)])
        material = parse(kept.article(), kept.month, folder)
        check_pictures(material, folder)
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
        raise
    _replace(folder / "article.md", kept.article())
    return material


def _with(draft: Draft, files: list[tuple[str, bool]]) -> Draft:
    """A copy of the draft naming these files too (name, whether it is the recording)."""
    audio = [name for name, is_audio in files if is_audio]
    return replace(draft, audio=audio[-1] if audio else draft.audio,
                   images=[*draft.images, *(name for name, is_audio in files if not is_audio)])


def _keep_new(folder: Path, name: str, stream: BinaryIO) -> Path:
    """Write stream to a new file in folder: name, or name-2, name-3 … when taken."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for number in range(1, 1000):
        path = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            out = path.open("xb")  # only if no file has this name
        except FileExistsError:
            continue
        with out:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
        return path
    raise MaterialError(f"{name}：同名文件太多了，请换个文件名。")


def _replace(path: Path, text: str) -> None:
    """Write text to path in one step: readers see the old file or the new, never half of one."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(out.name, 0o644)
    os.replace(out.name, path)


def _toml(value: object) -> str:
    """A string or a list of strings as TOML (a JSON string is a TOML basic string)."""
    return json.dumps(value, ensure_ascii=False)
