"""The question sets bench/qa scores, and how a set file is read."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Sets the vocabulary was widened with (their first, untuned scores are in README) …
TUNED = {"dev": ROOT.parent / "shared" / "qa" / "dev.tsv", "questions": HERE / "questions.tsv",
         "holdout": HERE / "holdout.tsv", "fresh": HERE / "fresh.tsv", "untouched": HERE / "untouched.tsv",
         "family": HERE / "family.tsv", "voice": HERE / "voice.tsv",
         # out-of-scope questions that hold a topic's word (240 of its 300), written to widen
         # content/dictionary/off_topic.txt
         "adversarial": HERE / "adversarial.tsv",
         # the first three rounds of blind sets, read after their first scores (2026-12-04): their
         # misses widened off_topic.txt and led to the second stage's two-word rule
         **{name: HERE / f"{name}.tsv" for name in ("blind_a", "blind_b", "blind_c", "blind_d", "blind_e",
                                                    "blind_f", "blind_g", "blind_h", "blind_i")},
         # the fourth and fifth rounds, read after their first scores (2026-12-04)
         **{name: HERE / f"{name}.tsv" for name in ("blind_j", "blind_k", "blind_l", "blind_m", "blind_n",
                                                    "blind_o")}}
# … and sets nobody has tuned anything on: never calibrate with these.
UNSEEN = {name: HERE / f"{name}.tsv" for name in ("blind_p", "blind_q", "blind_r")}
SETS = {**TUNED, **UNSEEN}


def read_set(path: Path) -> list[tuple[str, str | None]]:
    """(question, expected topic or None) pairs from a question<TAB>topic file."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return [(q, None if t.strip() == "-" else t.strip()) for q, t in rows]
