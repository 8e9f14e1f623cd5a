"""The question sets bench/qa scores, and how a set file is read."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Sets the vocabulary was widened with (their first, untuned scores: FIRST_SCORES below) …
TUNED = {"dev": ROOT.parent / "shared" / "qa" / "dev.tsv", "questions": HERE / "questions.tsv",
         "holdout": HERE / "holdout.tsv", "fresh": HERE / "fresh.tsv", "untouched": HERE / "untouched.tsv",
         "family": HERE / "family.tsv", "voice": HERE / "voice.tsv",
         # out-of-scope questions that hold a topic's word (240 of its 300), written to widen
         # content/dictionary/off_topic.txt
         "adversarial": HERE / "adversarial.tsv",
         # blind rounds one to fifty-one and fifty-three, read after their first scores (2026-12-04
         # to -06): their misses widened the vocabulary and led to the second stage's two-word
         # rule; every question of theirs is in content/policies/asked.tsv, 「-」 for those out of scope
         **{f"blind_{letters}": HERE / f"blind_{letters}.tsv"
            for letters in [*"abcdefghijklmnopqrstuvwxyz", "aa", "bb", "cc", "dd", "ee", "ff", "gg",
                            "hh", "ii", "jj", "kk", "ll", "mm", "nn", "oo", "pp", "qq", "rr", "ss", "tt",
                            "uu", "vv", "ww", "xx", "yy", "zz", "aaa", "bbb", "ccc", "ddd", "eee",
                            "fff", "ggg", "hhh", "iii", "jjj", "kkk", "lll", "mmm",
                            "nnn", "ooo", "ppp", "qqq", "rrr", "sss", "ttt", "uuu", "vvv", "www",
                            "xxx", "yyy", "zzz", "aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff",
                            "gggg", "hhhh", "iiii", "jjjj", "kkkk", "llll", "mmmm", "nnnn", "oooo",
                            "pppp", "qqqq", "rrrr", "ssss", "tttt", "uuuu", "vvvv", "wwww", "xxxx",
                            "yyyy", "zzzz", "aaaaa", "bbbbb", "ccccc", "ddddd",
                            "eeeee", "fffff", "ggggg", "hhhhh", "iiiii", "jjjjj",
                            "kkkkk", "lllll", "mmmmm", "nnnnn", "ooooo", "ppppp",
                            "qqqqq", "rrrrr", "sssss", "ttttt", "uuuuu", "vvvvv",
                            "wwwww", "xxxxx", "yyyyy", "zzzzz", "aaaaaa", "bbbbbb",
                            "cccccc", "dddddd", "eeeeee", "ffffff", "gggggg", "hhhhhh", "iiiiii",
                            "jjjjjj", "kkkkkk", "llllll", "mmmmmm", "nnnnnn", "oooooo", "pppppp",
                            "qqqqqq", "rrrrrr", "ssssss", "tttttt", "uuuuuu", "vvvvvv", "wwwwww",
                            "aaaaaaa", "bbbbbbb", "ccccccc"]}}
# … and sets nobody has read or tuned anything on: never calibrate with these. Rounds fifty-two
# and fifty-four, written on 2026-12-06 by three more helpers each, who saw only
# ../shared/qa/topics.tsv and the brief (bench/qa/brief.txt).
UNSEEN = {f"blind_{letters}": HERE / f"blind_{letters}.tsv"
          for letters in ("xxxxxx", "yyyyyy", "zzzzzz", "ddddddd", "eeeeeee", "fffffff")}
SETS = {**TUNED, **UNSEEN}

# Each set's first score, taken once before anyone read it: router → (top-1 in scope, out of
# scope refused), in percent. The older sets were first scored with the keyword router of the
# day; the blind sets with the keywords alone and the two-stage router, and from round four on
# with BM25 too.
FIRST_SCORES: dict[str, dict[str, tuple[float, float]]] = {
    "holdout": {"keywords": (85.5, 75.0)}, "fresh": {"keywords": (88.4, 78.6)},
    "untouched": {"keywords": (91.9, 90.0)}, "family": {"keywords": (67.3, 95.0)},
    "voice": {"keywords": (91.5, 90.0)},
    "adversarial": {"keywords": (100.0, 41.7), "two-stage": (100.0, 41.7)},
    # round 1, at 5fd54f8
    "blind_a": {"keywords": (94.5, 81.8), "two-stage": (95.5, 81.8)},
    "blind_b": {"keywords": (95.5, 86.4), "two-stage": (96.4, 86.4)},
    "blind_c": {"keywords": (94.5, 100.0), "two-stage": (95.5, 100.0)},
    # round 2, at 32dfc02
    "blind_d": {"keywords": (95.5, 92.0), "two-stage": (97.3, 88.0)},
    "blind_e": {"keywords": (97.3, 84.0), "two-stage": (98.2, 80.0)},
    "blind_f": {"keywords": (91.8, 96.0), "two-stage": (93.6, 80.0)},
    # round 3, at 0b902e9
    "blind_g": {"keywords": (96.4, 92.0), "two-stage": (98.2, 84.0)},
    "blind_h": {"keywords": (98.2, 92.0), "two-stage": (99.1, 88.0)},
    "blind_i": {"keywords": (95.5, 88.0), "two-stage": (96.4, 80.0)},
    # round 4, at 2d626d1 (a harder brief: stories, everyday names, who is responsible)
    "blind_j": {"keywords": (89.1, 64.0), "two-stage": (92.7, 64.0), "bm25": (94.5, 4.0)},
    "blind_k": {"keywords": (94.5, 76.0), "two-stage": (94.5, 76.0), "bm25": (91.8, 0.0)},
    "blind_l": {"keywords": (80.9, 72.0), "two-stage": (83.6, 72.0), "bm25": (93.6, 4.0)},
    # round 5, at 550c3b0 (the same brief)
    "blind_m": {"keywords": (89.1, 72.0), "two-stage": (92.7, 72.0), "bm25": (93.6, 4.0)},
    "blind_n": {"keywords": (90.0, 92.0), "two-stage": (91.8, 92.0), "bm25": (95.5, 0.0)},
    "blind_o": {"keywords": (87.3, 72.0), "two-stage": (89.1, 72.0), "bm25": (90.0, 0.0)},
    # round 6, at 024b585 (the same brief)
    "blind_p": {"keywords": (88.2, 84.0), "two-stage": (91.8, 84.0), "bm25": (93.6, 4.0)},
    "blind_q": {"keywords": (90.9, 68.0), "two-stage": (93.6, 68.0), "bm25": (92.7, 0.0)},
    "blind_r": {"keywords": (81.8, 84.0), "two-stage": (87.3, 84.0), "bm25": (90.0, 4.0)},
    # round 7, at c033c2d (the same brief, three writers: typed by retirees; by their children;
    # dictated, with a recogniser's slips)
    "blind_s": {"keywords": (93.6, 80.0), "two-stage": (95.5, 80.0), "bm25": (90.0, 4.0)},
    "blind_t": {"keywords": (93.6, 56.0), "two-stage": (93.6, 56.0), "bm25": (93.6, 4.0)},
    "blind_u": {"keywords": (81.8, 84.0), "two-stage": (83.6, 84.0), "bm25": (80.9, 4.0)},
    # round 8, at 0fc9867 (the same brief, three more writers: retirees of several trades, formal or
    # cross; grandchildren and carers; a clerk's year of chat log)
    "blind_v": {"keywords": (92.7, 92.0), "two-stage": (93.6, 92.0), "bm25": (91.8, 4.0)},
    "blind_w": {"keywords": (80.9, 72.0), "two-stage": (84.5, 72.0), "bm25": (87.3, 0.0)},
    "blind_x": {"keywords": (93.6, 80.0), "two-stage": (96.4, 80.0), "bm25": (93.6, 4.0)},
    # round 9, at edcde4f (the same brief, three more writers: widows, widowers and the very old,
    # north-eastern and Sichuan words; carers writing in the third person; southern retirees with
    # homophone slips and Cantonese or Wu words)
    "blind_y": {"keywords": (79.1, 88.0), "two-stage": (86.4, 88.0), "bm25": (91.8, 0.0)},
    "blind_z": {"keywords": (88.2, 88.0), "two-stage": (91.8, 84.0), "bm25": (91.8, 0.0)},
    "blind_aa": {"keywords": (90.0, 84.0), "two-stage": (90.9, 84.0), "bm25": (90.0, 4.0)},
    # round 10, at d854e68 (three more writers: retirees typing as into a search box, two to ten
    # characters; children far away, long polite letters telling the background first; rules,
    # exceptions and consequences, 不去…行不行)
    "blind_bb": {"keywords": (79.1, 80.0), "two-stage": (84.5, 80.0), "bm25": (85.5, 0.0)},
    "blind_cc": {"keywords": (77.3, 68.0), "two-stage": (80.0, 68.0), "bm25": (91.8, 0.0)},
    "blind_dd": {"keywords": (84.5, 92.0), "two-stage": (89.1, 88.0), "bm25": (84.5, 0.0)},
    # round 11, at 872a372, the first with the asked questions in the second stage (three more
    # writers: the north-west countryside; official letters; dictation without punctuation)
    "blind_ee": {"keywords": (79.1, 68.0), "two-stage": (88.2, 68.0), "bm25": (87.3, 0.0)},
    "blind_ff": {"keywords": (77.3, 76.0), "two-stage": (81.8, 76.0), "bm25": (84.5, 0.0)},
    "blind_gg": {"keywords": (83.6, 96.0), "two-stage": (91.8, 96.0), "bm25": (88.2, 0.0)},
    # round 12, at 1746c2f (three more writers: small talk around the question; grandchildren in
    # internet Chinese; questions about timing; read at 9a67618, after its one check)
    "blind_hh": {"keywords": (81.8, 80.0), "two-stage": (89.1, 80.0), "bm25": (90.0, 0.0)},
    "blind_ii": {"keywords": (82.7, 80.0), "two-stage": (90.9, 80.0), "bm25": (94.5, 0.0)},
    "blind_jj": {"keywords": (90.9, 88.0), "two-stage": (93.6, 88.0), "bm25": (91.8, 0.0)},
    # round 13, at af3c109, the first with the questions not ours (three more writers: retirees
    # typing slowly, northern words and near-homophone slips; sons, daughters and in-laws asking
    # for a parent; WeChat's speech recogniser, fillers and homophones; read after its one check,
    # the vocabulary widened with round twelve's misses, then widened with its own)
    "blind_kk": {"keywords": (87.3, 84.0), "two-stage": (91.8, 80.0), "bm25": (82.7, 0.0)},
    "blind_ll": {"keywords": (85.5, 96.0), "two-stage": (90.0, 96.0), "bm25": (91.8, 0.0)},
    "blind_mm": {"keywords": (89.1, 96.0), "two-stage": (92.7, 96.0), "bm25": (88.2, 0.0)},
    # round 14, at 2c9d91c, the vocabulary widened with round twelve's and thirteen's misses (three
    # more writers: south-western and southern retirees' own words; carers and neighbours asking
    # for the old person; what to do now after something happened; read at 6b5d5db, after its
    # one check, which the punctuation rule left as it was to the question)
    "blind_nn": {"keywords": (90.9, 96.0), "two-stage": (95.5, 96.0), "bm25": (90.0, 0.0)},
    "blind_oo": {"keywords": (89.1, 88.0), "two-stage": (94.5, 88.0), "bm25": (89.1, 0.0)},
    "blind_pp": {"keywords": (87.3, 96.0), "two-stage": (90.0, 96.0), "bm25": (87.3, 0.0)},
    # round 15, at 0500237, the vocabulary widened with round fourteen's misses and the router
    # reading each sentence apart (three more writers: former army and state-factory cadres, formal
    # or blunt; spouses and retirees asking about amounts, dates and deadlines; traditional
    # characters, pinyin-input homophones and telegraphic messages with emoji; read at 7e148c7,
    # after its one check: traditional characters read as simplified)
    "blind_qq": {"keywords": (89.1, 100.0), "two-stage": (91.8, 100.0), "bm25": (93.6, 0.0)},
    "blind_rr": {"keywords": (93.6, 92.0), "two-stage": (93.6, 92.0), "bm25": (90.9, 0.0)},
    "blind_ss": {"keywords": (77.3, 92.0), "two-stage": (78.2, 92.0), "bm25": (71.8, 8.0)},
    # round 16, at ced9353, traditional characters read as simplified and the vocabulary widened
    # with round fifteen's misses (three more writers: county-town retirees of Hunan, Jiangxi,
    # Hubei and Anhui in their own words; community workers, care-home nurses and carers writing
    # for the old person; rules, conditions and what happens if; read at a675f43)
    "blind_tt": {"keywords": (92.7, 100.0), "two-stage": (95.5, 100.0), "bm25": (91.8, 0.0)},
    "blind_uu": {"keywords": (90.9, 72.0), "two-stage": (91.8, 72.0), "bm25": (91.8, 0.0)},
    "blind_vv": {"keywords": (90.0, 92.0), "two-stage": (90.0, 92.0), "bm25": (86.4, 0.0)},
    # round 17, at a675f43, the vocabulary widened with round sixteen's misses (three more writers:
    # retirees of the north and north-east in their spoken words; grandchildren typing for a
    # grandparent, internet style; very long letters and two-to-six-character messages; read)
    "blind_ww": {"keywords": (97.3, 100.0), "two-stage": (99.1, 100.0), "bm25": (92.7, 4.0)},
    "blind_xx": {"keywords": (99.1, 92.0), "two-stage": (100.0, 92.0), "bm25": (98.2, 0.0)},
    "blind_yy": {"keywords": (95.5, 96.0), "two-stage": (95.5, 96.0), "bm25": (96.4, 8.0)},
    # round 18, at e350ff2, the same router (three more writers: retirees of the south-west and
    # the north-west, several writing Mandarin as a second language; former senior cadres in the
    # official register; dictated voice messages as the phone wrote them down; read)
    "blind_zz": {"keywords": (97.3, 92.0), "two-stage": (98.2, 92.0), "bm25": (94.5, 0.0)},
    "blind_aaa": {"keywords": (90.9, 96.0), "two-stage": (91.8, 96.0), "bm25": (92.7, 0.0)},
    "blind_bbb": {"keywords": (99.1, 92.0), "two-stage": (100.0, 92.0), "bm25": (93.6, 0.0)},
    # round 19, at abd53f8, the vocabulary widened with rounds seventeen and eighteen's misses
    # (three more writers: Shanghai, Jiangsu and Zhejiang retirees in Wu-coloured Mandarin; people
    # writing upset, angry or anxious; retirees living in another province or abroad, and their
    # children writing from there; read at the commit after its one check, 86918e9)
    "blind_ccc": {"keywords": (94.5, 80.0), "two-stage": (96.4, 80.0), "bm25": (93.6, 0.0)},
    "blind_ddd": {"keywords": (96.4, 92.0), "two-stage": (97.3, 92.0), "bm25": (93.6, 0.0)},
    "blind_eee": {"keywords": (86.4, 76.0), "two-stage": (86.4, 76.0), "bm25": (90.0, 0.0)},
    # round 20, at 23009b5, the vocabulary widened with round nineteen's misses (three more
    # writers: the oldest retirees writing by handwriting input, characters that look alike;
    # retired party-branch secretaries and group leaders asking for their members; questions
    # full of numbers, dates, amounts and document numbers; read after its one check, 57bc36b)
    "blind_fff": {"keywords": (79.1, 96.0), "two-stage": (86.4, 96.0), "bm25": (90.9, 0.0)},
    "blind_ggg": {"keywords": (92.7, 84.0), "two-stage": (92.7, 84.0), "bm25": (93.6, 0.0)},
    "blind_hhh": {"keywords": (97.3, 96.0), "two-stage": (98.2, 96.0), "bm25": (92.7, 0.0)},
    # round 21, at cfdda30, the vocabulary widened with round twenty's misses, the writer's
    # whereabouts and look-alike characters (three more writers: township and village retirees;
    # retirees back from abroad mixing in English or Russian words; questions that continue an
    # earlier conversation, 「上次你们说的那个……」; checked once at 6fa3655, unchanged; read)
    "blind_iii": {"keywords": (95.5, 96.0), "two-stage": (97.3, 96.0), "bm25": (92.7, 0.0)},
    "blind_jjj": {"keywords": (91.8, 80.0), "two-stage": (92.7, 80.0), "bm25": (93.6, 0.0)},
    "blind_kkk": {"keywords": (81.8, 96.0), "two-stage": (87.3, 96.0), "bm25": (88.2, 0.0)},
    # round 22, at 720f8da, the vocabulary widened with round twenty-one's misses (three more
    # writers: retired intellectuals in an old-fashioned, literary register, 敝人, 拙荆, 烦请;
    # people unsure which agency handles what, naming 人社局, 医保局, 街道, 原单位; questions asked
    # by comparison and fairness, 「老张有我怎么没有」; checked once at 476840d, blind_lll
    # 86.4 -> 87.3 %, the rest unchanged; read)
    "blind_lll": {"keywords": (84.5, 92.0), "two-stage": (86.4, 92.0), "bm25": (85.5, 0.0)},
    "blind_mmm": {"keywords": (90.9, 100.0), "two-stage": (93.6, 100.0), "bm25": (89.1, 4.0)},
    "blind_nnn": {"keywords": (83.6, 96.0), "two-stage": (88.2, 96.0), "bm25": (87.3, 0.0)},
    # round 23, at 93ba4ce, the vocabulary widened with round twenty-two's misses (three more
    # writers: plans and hypotheticals, 「如果以后……」, 「万一……」; whether a rule applies to
    # them at all, 「我是事业单位退休的，这个也有吗」; writers correcting themselves inside one
    # message, 「我想问体检，哦不对，是报销」; checked once at bd7eca0, blind_qqq refused 84 -> 88 %,
    # offers as half 88.2 -> 87.7 %, the rest unchanged; read)
    "blind_ooo": {"keywords": (86.4, 80.0), "two-stage": (89.1, 80.0), "bm25": (90.0, 0.0)},
    "blind_ppp": {"keywords": (90.0, 96.0), "two-stage": (90.9, 96.0), "bm25": (88.2, 0.0)},
    "blind_qqq": {"keywords": (81.8, 84.0), "two-stage": (85.5, 84.0), "bm25": (86.4, 0.0)},
    # round 24, at 3a3b9b3, the vocabulary widened with round twenty-three's misses and changes
    # of mind read (three more writers: a life situation told first, then something else asked,
    # 「我在养老院住着，党费怎么交」; what a notice, a text message or the radio said, 「通知上说……」;
    # words in pinyin letters, 「tijian 几号开始」; checked once at a8bf9b2, blind_ttt 19.1 -> 91.8 %,
    # refused 80 -> 96 %, the rest unchanged; read)
    "blind_rrr": {"keywords": (84.5, 84.0), "two-stage": (85.5, 84.0), "bm25": (91.8, 0.0)},
    "blind_sss": {"keywords": (69.1, 96.0), "two-stage": (72.7, 96.0), "bm25": (80.9, 0.0)},
    "blind_ttt": {"keywords": (16.4, 80.0), "two-stage": (19.1, 80.0), "bm25": (42.7, 20.0)},
    # round 25, at 28bcfea, the vocabulary widened with round twenty-four's misses, letters read
    # beside characters and where news came from left out (three more writers: what was already
    # tried told first, the question last, 「我去银行查过了。柜台说没到。离休费几号发？」; retirees of
    # minority and border regions in their own words; the practical steps alone, what to bring,
    # which window, how many days; checked once at 2d4641c, 「不是问……」 read as a change of
    # mind: unchanged; read)
    "blind_uuu": {"keywords": (69.1, 96.0), "two-stage": (76.4, 96.0), "bm25": (82.7, 0.0)},
    "blind_vvv": {"keywords": (89.1, 96.0), "two-stage": (90.9, 96.0), "bm25": (90.0, 0.0)},
    "blind_www": {"keywords": (87.3, 92.0), "two-stage": (90.0, 92.0), "bm25": (86.4, 0.0)},
    # round 26, at 028018c, the vocabulary widened with round twenty-five's misses and 「不是问……」
    # read (three more writers: retired personnel cadres in a formal register, 「按规定」, 「口径」;
    # retirees living far away, abroad, in Hong Kong, wintering in Hainan, doing the office's things
    # from afar; seniors who wrap a short question in WeChat's emoji codes and blessings, 「[抱拳]
    # [玫瑰]」; checked once at 33e55a0, a relative's school told apart read as small talk:
    # unchanged; read)
    "blind_xxx": {"keywords": (95.5, 100.0), "two-stage": (95.5, 100.0), "bm25": (92.7, 4.0)},
    "blind_yyy": {"keywords": (84.5, 72.0), "two-stage": (85.5, 72.0), "bm25": (92.7, 0.0)},
    "blind_zzz": {"keywords": (96.4, 100.0), "two-stage": (97.3, 100.0), "bm25": (98.2, 0.0)},
    # round 27, at 0be3650, the vocabulary widened with round twenty-six's misses (three more
    # writers: worried retirees who heard a rumour, 「听说今年不组织了？」; things named by when
    # they happen, how much they are or how they look, 「七一前后那个事」, 「一千多块的那笔」; the
    # digital young-old, 扫码, 小程序, 线上办理; checked once at 9e98a43, keyword answers
    # overruled by the likeness: 90.9 -> 92.7, 72.7 -> 74.5, 87.3 -> 89.1 %; read)
    "blind_aaaa": {"keywords": (90.0, 88.0), "two-stage": (90.9, 88.0), "bm25": (80.9, 0.0)},
    "blind_bbbb": {"keywords": (65.5, 96.0), "two-stage": (72.7, 96.0), "bm25": (83.6, 0.0)},
    "blind_cccc": {"keywords": (87.3, 100.0), "two-stage": (87.3, 100.0), "bm25": (91.8, 0.0)},
    # round 28, at a04f423, the vocabulary widened with round twenty-seven's misses and keyword
    # answers checked by the likeness (three more writers: replies to the office's own notices,
    # 「收到你们发的通知了……」; north-western and central-plains speech, 咋弄哩, 中不中, 俺; the
    # organisers, branch secretaries and group leaders asking for several people; unchanged by
    # the review's fixes, f31b7c9; checked once with the second stage's thresholds at 0.1, as 27
    # rounds chose them: 92.7 / 96.4 / 95.5 %, refused 84 / 84 / 92 % — not taken; read)
    "blind_dddd": {"keywords": (90.0, 84.0), "two-stage": (91.8, 84.0), "bm25": (89.1, 0.0)},
    "blind_eeee": {"keywords": (94.5, 88.0), "two-stage": (95.5, 88.0), "bm25": (97.3, 0.0)},
    "blind_ffff": {"keywords": (95.5, 92.0), "two-stage": (95.5, 92.0), "bm25": (90.0, 0.0)},
    # round 29, at 7f09035, the vocabulary widened with round twenty-eight's misses (three more
    # writers: retirees comparing what they got with a colleague or a neighbour, 「老李和我一年退的，
    # 他怎么比我多」; retirees writing after a hospital stay, the illness told in passing; people new
    # to the office, just retired or just transferred, 「我是从部队转过来的」)
    "blind_gggg": {"keywords": (94.5, 96.0), "two-stage": (96.4, 96.0), "bm25": (89.1, 0.0)},
    "blind_hhhh": {"keywords": (96.4, 84.0), "two-stage": (96.4, 84.0), "bm25": (92.7, 0.0)},
    "blind_iiii": {"keywords": (90.9, 100.0), "two-stage": (93.6, 100.0), "bm25": (88.2, 0.0)},
    # round 30, at 00e858c, the same router (three more writers: Guangdong and Guangxi retirees
    # writing Mandarin coloured by Cantonese, 佢、点解、冇、睇医生; careful retirees restating the rule
    # as they understand it and asking to confirm, 「我理解的是……对吧」; retirees forwarding a post,
    # a group-chat message or an SMS first and asking what it means for them)
    "blind_jjjj": {"keywords": (86.4, 100.0), "two-stage": (90.0, 100.0), "bm25": (89.1, 8.0)},
    "blind_kkkk": {"keywords": (88.2, 92.0), "two-stage": (90.0, 92.0), "bm25": (88.2, 0.0)},
    "blind_llll": {"keywords": (91.8, 96.0), "two-stage": (93.6, 96.0), "bm25": (93.6, 0.0)},
    # round 31, at 1c2f759: keyword offers settled by likeness, the vocabulary widened with rounds
    # twenty-nine and thirty (three more writers: Fujian retirees writing Mandarin coloured by
    # Minnan, 阮、伊、按怎、佗位; retired doctors, accountants, engineers, teachers and judges in their
    # profession's words, 起付线、口径、接口人; shy retirees asking in hedged and negative forms,
    # 「应该不用……吧」「不会不给了吧」)
    "blind_mmmm": {"keywords": (97.3, 96.0), "two-stage": (98.2, 96.0), "bm25": (94.5, 4.0)},
    "blind_nnnn": {"keywords": (94.5, 88.0), "two-stage": (99.1, 88.0), "bm25": (92.7, 0.0)},
    "blind_oooo": {"keywords": (81.8, 96.0), "two-stage": (84.5, 96.0), "bm25": (86.4, 0.0)},
    # round 32, at bd5c761: the agreement below the offer, the vocabulary widened with round
    # thirty-one (three more writers: retirees chatting with a clerk they have known for years,
    # 「小王啊，又来麻烦你了」; questions framed by the season and the festivals, 「开春了……」「快过年
    # 了……」; questions about a paper in hand, a form's box, a receipt's line, a stamp; no router
    # change was taken to check it with (two were tried on the read rounds); read with 33)
    "blind_pppp": {"keywords": (86.4, 84.0), "two-stage": (92.7, 84.0), "bm25": (88.2, 0.0)},
    "blind_qqqq": {"keywords": (90.0, 100.0), "two-stage": (94.5, 100.0), "bm25": (94.5, 0.0)},
    "blind_rrrr": {"keywords": (90.0, 96.0), "two-stage": (95.5, 96.0), "bm25": (88.2, 0.0)},
    # round 33, at 6c23cae, the same router (three more writers: people retired only this year or
    # last, in their working life's words, 「刚退下来」「以前在单位都是……」; Shandong, Henan and Hebei
    # speech, 俺、咋、中不中、弄啥嘞; questions sent in two or three quick bursts arriving as one line,
    # 「在吗 问个事 那个钱 这月咋还没到」; read with 32)
    "blind_ssss": {"keywords": (95.5, 96.0), "two-stage": (96.4, 96.0), "bm25": (94.5, 0.0)},
    "blind_tttt": {"keywords": (94.5, 100.0), "two-stage": (96.4, 100.0), "bm25": (94.5, 0.0)},
    "blind_uuuu": {"keywords": (96.4, 88.0), "two-stage": (97.3, 88.0), "bm25": (96.4, 0.0)},
    # round 34, at 17c7270, the vocabulary widened with rounds thirty-two and thirty-three (three
    # more writers: retirees unsure whether a machine or a person answers, or cross with an earlier
    # automatic reply, 「你是真人还是机器？」; grown children writing like a work report, 「背景：……
    # 诉求：……」, 对接、落实、闭环; the oldest retirees using the names of decades ago, 劳保、公费医疗、
    # 老干处、会费 for 党费、夜校; read)
    "blind_vvvv": {"keywords": (98.2, 100.0), "two-stage": (99.1, 100.0), "bm25": (96.4, 0.0)},
    "blind_wwww": {"keywords": (96.4, 88.0), "two-stage": (99.1, 88.0), "bm25": (92.7, 0.0)},
    "blind_xxxx": {"keywords": (90.9, 92.0), "two-stage": (95.5, 88.0), "bm25": (91.8, 0.0)},
    # round 35, at 99f2757, the vocabulary widened with round thirty-four (three more writers:
    # Beijing and Tianjin retirees as they talk, 您呐、甭、倍儿、介、嘛; questions asked as a choice
    # between two guesses, 「是去医院办还是来你们这办？」; anxious retirees saying the same question
    # two or three ways in one message; read)
    "blind_yyyy": {"keywords": (95.5, 96.0), "two-stage": (96.4, 96.0), "bm25": (97.3, 0.0)},
    "blind_zzzz": {"keywords": (96.4, 100.0), "two-stage": (97.3, 100.0), "bm25": (90.9, 0.0)},
    "blind_aaaaa": {"keywords": (99.1, 96.0), "two-stage": (100.0, 96.0), "bm25": (98.2, 0.0)},
    # round 36, at e951b40, the vocabulary widened with round thirty-five (three more writers:
    # Jiangxi, Hunan and Hakka retirees, 么子、冇、晓得、几多、系; retirees who have just made a mistake
    # or missed something, 「忘了……会不会……」「填错了……要紧吗」; retirees asking for a neighbour or
    # an old colleague who cannot use WeChat, 「我们楼的老周托我问……」; read)
    "blind_bbbbb": {"keywords": (97.3, 96.0), "two-stage": (99.1, 96.0), "bm25": (93.6, 0.0)},
    "blind_ccccc": {"keywords": (96.4, 96.0), "two-stage": (98.2, 96.0), "bm25": (94.5, 0.0)},
    "blind_ddddd": {"keywords": (96.4, 96.0), "two-stage": (98.2, 96.0), "bm25": (94.5, 0.0)},
    # round 37, at 5257a16, the vocabulary widened with round thirty-six, the engine lighter (three
    # more writers: retirees asking through the buttons and menus they saw, 「公众号里哪个按钮是……」;
    # Xinjiang Corps and Inner Mongolia settlers, 兵团、团场、连队、克 for 去; grateful retirees thanking
    # for one thing, then asking about another; read)
    "blind_eeeee": {"keywords": (96.4, 100.0), "two-stage": (98.2, 100.0), "bm25": (93.6, 0.0)},
    "blind_fffff": {"keywords": (99.1, 96.0), "two-stage": (99.1, 96.0), "bm25": (97.3, 0.0)},
    "blind_ggggg": {"keywords": (81.8, 84.0), "two-stage": (95.5, 84.0), "bm25": (90.0, 0.0)},
    # round 38, at 052e01f, the vocabulary widened with round thirty-seven (three more writers:
    # Hainan and western Guangdong retirees, 侬、无、知无、去哪块; retirees introducing themselves as on
    # a form first, unit, name, year, phone; retirees asking to be answered another way, 「麻烦打电话
    # 告诉我」「发语音给我」; read after the thanks rule's one check)
    "blind_hhhhh": {"keywords": (97.3, 100.0), "two-stage": (99.1, 100.0), "bm25": (93.6, 0.0)},
    "blind_iiiii": {"keywords": (94.5, 88.0), "two-stage": (97.3, 88.0), "bm25": (96.4, 0.0)},
    "blind_jjjjj": {"keywords": (97.3, 100.0), "two-stage": (98.2, 100.0), "bm25": (88.2, 0.0)},
    # round 39, at d96ffcd, the vocabulary widened with round thirty-eight, thanks as small talk, a
    # self-introduction's phone number not read (three more writers: Sichuan, Chongqing, Guizhou and
    # Yunnan speech, 啥子、咋个、莫得、晓不得; retirees typing in a hurry in a queue or on the bus;
    # conditions, negations and exceptions, 「要是……的话」「不是党员能不能……」; read)
    "blind_kkkkk": {"keywords": (83.6, 100.0), "two-stage": (90.9, 100.0), "bm25": (93.6, 0.0)},
    "blind_lllll": {"keywords": (83.6, 100.0), "two-stage": (91.8, 100.0), "bm25": (93.6, 0.0)},
    "blind_mmmmm": {"keywords": (84.5, 96.0), "two-stage": (90.0, 96.0), "bm25": (82.7, 0.0)},
    # round 40, at db104b3, the vocabulary widened with round thirty-nine (three more writers:
    # north-eastern speech, 咋整、嘎哈、整明白、那嘎达, with pinyin slips; retirees sent here by another
    # office, 「社区说这个归你们管」; amounts, dates and counts, 「两千块以下的票能不能报」; read)
    "blind_nnnnn": {"keywords": (80.9, 100.0), "two-stage": (91.8, 100.0), "bm25": (90.9, 0.0)},
    "blind_ooooo": {"keywords": (81.8, 100.0), "two-stage": (87.3, 100.0), "bm25": (79.1, 0.0)},
    "blind_ppppp": {"keywords": (83.6, 96.0), "two-stage": (91.8, 96.0), "bm25": (90.0, 0.0)},
    # round 41, at e8a9866, the vocabulary widened with round forty, the overruling at 0.06 (three
    # more writers: Shanghai, Suzhou, Hangzhou and Ningbo speech, 阿拉、侬、伐、啥辰光; retirees asking
    # for a group, a branch, a choir, a building; letters and loanwords, APP、扫码、wifi、PDF; read)
    "blind_qqqqq": {"keywords": (72.7, 100.0), "two-stage": (87.3, 100.0), "bm25": (89.1, 0.0)},
    "blind_rrrrr": {"keywords": (82.7, 100.0), "two-stage": (94.5, 100.0), "bm25": (91.8, 0.0)},
    "blind_sssss": {"keywords": (84.5, 96.0), "two-stage": (95.5, 96.0), "bm25": (86.4, 0.0)},
    # round 42, at c559b73, the vocabulary widened with round forty-one (three more writers: Shanxi,
    # Hebei and Hetao speech, 做甚、夜来、解不下; a change in life told first, a move to a care home,
    # a spouse's death, a second marriage; retirees cross or disappointed; read)
    "blind_ttttt": {"keywords": (78.2, 100.0), "two-stage": (90.9, 100.0), "bm25": (89.1, 0.0)},
    "blind_uuuuu": {"keywords": (84.5, 92.0), "two-stage": (89.1, 92.0), "bm25": (90.9, 0.0)},
    "blind_vvvvv": {"keywords": (85.5, 100.0), "two-stage": (91.8, 100.0), "bm25": (83.6, 0.0)},
    # round 43, at 6885a97, the vocabulary widened with round forty-two (three more writers, the first
    # given bench/qa/brief.txt from the repository: returned overseas Chinese and retirees back from
    # Hong Kong, Macao and Taiwan, in traditional characters; retirees of systems with their own
    # arrangements, railway, forestry, 三线 factories, 转业, 知青; orders rather than questions,
    # 「帮我报个名」「给我改一下地址」; read with round forty-four)
    "blind_wwwww": {"keywords": (77.3, 100.0), "two-stage": (90.9, 100.0), "bm25": (60.9, 4.0)},
    "blind_xxxxx": {"keywords": (90.0, 96.0), "two-stage": (96.4, 96.0), "bm25": (92.7, 0.0)},
    "blind_yyyyy": {"keywords": (86.4, 100.0), "two-stage": (89.1, 100.0), "bm25": (87.3, 0.0)},
    # round 44, at 69e90b9, round forty-three still unread (Cantonese written colloquial mixed with
    # Mandarin, 咩、点解、佢、冇; a live-in carer or a neighbour asking for the old person they look
    # after; retired grassroots cadres of townships and county offices; read)
    "blind_zzzzz": {"keywords": (73.6, 92.0), "two-stage": (80.9, 92.0), "bm25": (81.8, 4.0)},
    "blind_aaaaaa": {"keywords": (84.5, 96.0), "two-stage": (92.7, 96.0), "bm25": (88.2, 0.0)},
    "blind_bbbbbb": {"keywords": (85.5, 96.0), "two-stage": (92.7, 96.0), "bm25": (86.4, 0.0)},
    # round 45, at 03929a8, the vocabulary widened with rounds forty-three and forty-four (Minnan
    # and Hakka forms among Mandarin, 阮、伊、毋、厝; retired cadres writing as to their superiors,
    # 尊敬的领导……妥否请批示; grandchildren typing for a grandparent in the internet's slang; read)
    "blind_cccccc": {"keywords": (90.0, 100.0), "two-stage": (97.3, 100.0), "bm25": (90.0, 0.0)},
    "blind_dddddd": {"keywords": (83.6, 96.0), "two-stage": (93.6, 96.0), "bm25": (89.1, 0.0)},
    "blind_eeeeee": {"keywords": (87.3, 96.0), "two-stage": (98.2, 96.0), "bm25": (95.5, 0.0)},
    # round 46, at 7101cf8, the vocabulary widened with round forty-five (Xiang and Gan forms among
    # Mandarin, 么子、冇得、何解; the question after a long complaint about something else; retirees'
    # children between meetings, 流程、对接、ok、pls; read)
    "blind_ffffff": {"keywords": (85.5, 100.0), "two-stage": (91.8, 100.0), "bm25": (90.9, 0.0)},
    "blind_gggggg": {"keywords": (85.5, 100.0), "two-stage": (95.5, 100.0), "bm25": (91.8, 0.0)},
    "blind_hhhhhh": {"keywords": (86.4, 100.0), "two-stage": (97.3, 100.0), "bm25": (91.8, 0.0)},
    # round 47, at ca919f8, the vocabulary as at round forty-six (Wu forms among Mandarin, 阿拉、侬、
    # 伐、啥辰光、铜钿; very old retirees' telegraphic fragments, one finger or handwriting; widows,
    # widowers and old couples telling a settled matter before asking about another; read)
    "blind_iiiiii": {"keywords": (81.8, 92.0), "two-stage": (94.5, 92.0), "bm25": (93.6, 0.0)},
    "blind_jjjjjj": {"keywords": (82.7, 100.0), "two-stage": (91.8, 100.0), "bm25": (89.1, 0.0)},
    "blind_kkkkkk": {"keywords": (71.8, 96.0), "two-stage": (90.0, 96.0), "bm25": (80.9, 0.0)},
    # round 48, at 79e7962, the vocabulary widened with rounds forty-six and forty-seven
    # (Northeastern forms, 咋整、嘎哈、整明白; retired professionals in their former trade's jargon,
    # 凭证、台账、出院小结; what they heard elsewhere, 网上说、群里传、听说北京那边; read)
    "blind_llllll": {"keywords": (85.5, 100.0), "two-stage": (92.7, 96.0), "bm25": (91.8, 0.0)},
    "blind_mmmmmm": {"keywords": (86.4, 100.0), "two-stage": (94.5, 100.0), "bm25": (91.8, 0.0)},
    "blind_nnnnnn": {"keywords": (92.7, 100.0), "two-stage": (98.2, 100.0), "bm25": (94.5, 0.0)},
    # round 49, at e479dc0, the vocabulary widened with round forty-eight (Sichuanese forms, 啥子、
    # 咋个、莫得、巴适; retirees whose first language is not Chinese; very old retirees with some
    # memory trouble, calling the office 组织部、人事处、干休所; read)
    "blind_oooooo": {"keywords": (80.9, 100.0), "two-stage": (95.5, 100.0), "bm25": (86.4, 0.0)},
    "blind_pppppp": {"keywords": (85.5, 100.0), "two-stage": (93.6, 100.0), "bm25": (93.6, 0.0)},
    "blind_qqqqqq": {"keywords": (86.4, 100.0), "two-stage": (94.5, 100.0), "bm25": (90.9, 0.0)},
    # round 50, at 135c800, the vocabulary widened with round forty-nine, the likeness answering
    # below the offer what reads far from those not ours (Henan and Shandong forms, 俺、恁、咋弄、
    # 中不中; retirees asking for a fellow retiree of the office, 老战友、楼下老李; retirees who put a
    # number in nearly every question, 少了213块、2019年退的; read)
    "blind_rrrrrr": {"keywords": (88.2, 96.0), "two-stage": (98.2, 92.0), "bm25": (91.8, 0.0)},
    "blind_ssssss": {"keywords": (86.4, 92.0), "two-stage": (97.3, 92.0), "bm25": (90.0, 0.0)},
    "blind_tttttt": {"keywords": (82.7, 100.0), "two-stage": (98.2, 100.0), "bm25": (89.1, 0.0)},
    # round 51, at 0d7421c, the same router and content as round fifty (Wuhan and Hubei forms, 冇得、
    # 么样、晓得、过早; Beijing and Tianjin forms, 您呐、甭、倍儿、介、嘛; voice input sent unedited,
    # run-on with fillers and slips such as 报消、体减、党非; read)
    "blind_uuuuuu": {"keywords": (82.7, 100.0), "two-stage": (97.3, 100.0), "bm25": (92.7, 0.0)},
    "blind_vvvvvv": {"keywords": (81.8, 96.0), "two-stage": (97.3, 96.0), "bm25": (91.8, 0.0)},
    "blind_wwwwww": {"keywords": (91.8, 100.0), "two-stage": (98.2, 100.0), "bm25": (94.5, 0.0)},
    # round 52, at 2119e1f, the vocabulary widened with round fifty, the second stage's models read
    # back whole (Northwestern forms, 额、咋咧、嫑、撒、婆姨、得是; handwriting input's slips of shape
    # or sound, 休检、己经、认正、党贾; retirees too shy to ask straight, who hint, 听说别人…不知道我们…;
    # unread)
    "blind_xxxxxx": {"keywords": (79.1, 100.0), "two-stage": (100.0, 100.0), "bm25": (89.1, 0.0)},
    "blind_yyyyyy": {"keywords": (84.5, 96.0), "two-stage": (98.2, 96.0), "bm25": (92.7, 0.0)},
    "blind_zzzzzz": {"keywords": (80.0, 96.0), "two-stage": (96.4, 96.0), "bm25": (88.2, 0.0)},
    # round 53, at 0003b48, the vocabulary widened with round fifty-one (Shanxi and western Inner
    # Mongolia forms, 甚、咋地、圪、夜来、年时、解不下; a notice, text message or group message quoted
    # and asked about, 通知上说…、群里发了个…; old cadres' official phrasing, 组织上、请示、落实、
    # 本人系…、望予答复; read)
    "blind_aaaaaaa": {"keywords": (78.2, 96.0), "two-stage": (96.4, 96.0), "bm25": (84.5, 0.0)},
    "blind_bbbbbbb": {"keywords": (82.7, 100.0), "two-stage": (90.0, 100.0), "bm25": (82.7, 0.0)},
    "blind_ccccccc": {"keywords": (80.0, 92.0), "two-stage": (97.3, 92.0), "bm25": (90.0, 0.0)},
    # round 54, at 9eb5a5b, the vocabulary widened with round fifty-three (Yunnan and Guizhou forms,
    # 哪样、咋个、莫得、板扎、老倌、得不得; retirees living in a nursing home, 护工、院长、前台; retirees
    # unsure which office does what, naming 社保局、街道、老年协会、医保局 beside this one; unread)
    "blind_ddddddd": {"keywords": (81.8, 100.0), "two-stage": (98.2, 100.0), "bm25": (88.2, 0.0)},
    "blind_eeeeeee": {"keywords": (90.0, 100.0), "two-stage": (99.1, 100.0), "bm25": (88.2, 0.0)},
    "blind_fffffff": {"keywords": (86.4, 100.0), "two-stage": (97.3, 100.0), "bm25": (90.0, 0.0)},
}

# The commit each blind round was first scored at, its sets (bench/qa/calibrate.py scores every
# round again as it was then: that commit's content/, and only the questions read before it).
FIRST_SCORED_AT: dict[str, tuple[str, ...]] = {
    "5fd54f8": ("blind_a", "blind_b", "blind_c"), "32dfc02": ("blind_d", "blind_e", "blind_f"),
    "0b902e9": ("blind_g", "blind_h", "blind_i"), "2d626d1": ("blind_j", "blind_k", "blind_l"),
    "550c3b0": ("blind_m", "blind_n", "blind_o"), "024b585": ("blind_p", "blind_q", "blind_r"),
    "c033c2d": ("blind_s", "blind_t", "blind_u"), "0fc9867": ("blind_v", "blind_w", "blind_x"),
    "edcde4f": ("blind_y", "blind_z", "blind_aa"), "d854e68": ("blind_bb", "blind_cc", "blind_dd"),
    "872a372": ("blind_ee", "blind_ff", "blind_gg"), "1746c2f": ("blind_hh", "blind_ii", "blind_jj"),
    "af3c109": ("blind_kk", "blind_ll", "blind_mm"), "2c9d91c": ("blind_nn", "blind_oo", "blind_pp"),
    "0500237": ("blind_qq", "blind_rr", "blind_ss"), "ced9353": ("blind_tt", "blind_uu", "blind_vv"),
    "a675f43": ("blind_ww", "blind_xx", "blind_yy"), "e350ff2": ("blind_zz", "blind_aaa", "blind_bbb"),
    "abd53f8": ("blind_ccc", "blind_ddd", "blind_eee"), "23009b5": ("blind_fff", "blind_ggg", "blind_hhh"),
    "cfdda30": ("blind_iii", "blind_jjj", "blind_kkk"), "720f8da": ("blind_lll", "blind_mmm", "blind_nnn"),
    "93ba4ce": ("blind_ooo", "blind_ppp", "blind_qqq"), "3a3b9b3": ("blind_rrr", "blind_sss", "blind_ttt"),
    "28bcfea": ("blind_uuu", "blind_vvv", "blind_www"), "028018c": ("blind_xxx", "blind_yyy", "blind_zzz"),
    "0be3650": ("blind_aaaa", "blind_bbbb", "blind_cccc"),
    "a04f423": ("blind_dddd", "blind_eeee", "blind_ffff"),
    "7f09035": ("blind_gggg", "blind_hhhh", "blind_iiii"),
    "00e858c": ("blind_jjjj", "blind_kkkk", "blind_llll"),
    "1c2f759": ("blind_mmmm", "blind_nnnn", "blind_oooo"),
    "bd5c761": ("blind_pppp", "blind_qqqq", "blind_rrrr"),
    "6c23cae": ("blind_ssss", "blind_tttt", "blind_uuuu"),
    "17c7270": ("blind_vvvv", "blind_wwww", "blind_xxxx"),
    "99f2757": ("blind_yyyy", "blind_zzzz", "blind_aaaaa"),
    "e951b40": ("blind_bbbbb", "blind_ccccc", "blind_ddddd"),
    "5257a16": ("blind_eeeee", "blind_fffff", "blind_ggggg"),
    "052e01f": ("blind_hhhhh", "blind_iiiii", "blind_jjjjj"),
    "d96ffcd": ("blind_kkkkk", "blind_lllll", "blind_mmmmm"),
    "db104b3": ("blind_nnnnn", "blind_ooooo", "blind_ppppp"),
    "e8a9866": ("blind_qqqqq", "blind_rrrrr", "blind_sssss"),
    "c559b73": ("blind_ttttt", "blind_uuuuu", "blind_vvvvv"),
    "6885a97": ("blind_wwwww", "blind_xxxxx", "blind_yyyyy"),
    "69e90b9": ("blind_zzzzz", "blind_aaaaaa", "blind_bbbbbb"),
    "03929a8": ("blind_cccccc", "blind_dddddd", "blind_eeeeee"),
    "7101cf8": ("blind_ffffff", "blind_gggggg", "blind_hhhhhh"),
    "ca919f8": ("blind_iiiiii", "blind_jjjjjj", "blind_kkkkkk"),
    "79e7962": ("blind_llllll", "blind_mmmmmm", "blind_nnnnnn"),
    "e479dc0": ("blind_oooooo", "blind_pppppp", "blind_qqqqqq"),
    "135c800": ("blind_rrrrrr", "blind_ssssss", "blind_tttttt"),
    "0d7421c": ("blind_uuuuuu", "blind_vvvvvv", "blind_wwwwww"),
    "0003b48": ("blind_aaaaaaa", "blind_bbbbbbb", "blind_ccccccc"),
}


def read_set(path: Path) -> list[tuple[str, str | None]]:
    """(question, expected topic or None) pairs from a question<TAB>topic file."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return [(q, None if t.strip() == "-" else t.strip()) for q, t in rows]
