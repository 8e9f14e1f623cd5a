"""Fictional retirees for the sandbox and benchmarks: realistic in shape, nobody real.

    python -m bot.sandbox.sample_roster 200 content/sample/roster.csv
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from bot.roster.sheets import write_sheet

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
            "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# Two-character given names, written run together to keep the lines short.
GIVEN_MALE = ("建国建华国强志明德明振华卫国保国文斌立新永康国庆"
              "树林春生秋生长林庆祥家声守仁学文光明德厚国栋继红")
GIVEN_FEMALE = ("秀英桂英玉兰淑珍秀兰凤英桂兰素珍玉珍丽华"
                "淑芬翠兰秀珍惠芳月娥巧云美华瑞华淑贞雪梅")
BRANCHES = ("第一党支部", "第二党支部", "第三党支部", "第四党支部", "第五党支部")
CLASSES = ("书法班", "太极拳班", "合唱班", "摄影班")
AREAS = ("城东片区", "城西片区", "城南片区", "城北片区")
UNITS = ("市财政局", "市教育局", "市卫生局", "市交通局", "市水利局", "市农业局", "市人民医院",
         "市第一中学", "市供销社", "市机械厂")
RANKS = ("正处级", "副处级", "正科级", "副科级", "科员", "副厅级")
STREETS = ("人民路", "解放路", "建设路", "和平路", "文化路", "胜利街", "光明巷", "朝阳路")
RELATIONS = ("儿子", "女儿", "儿媳", "女婿", "孙子", "外孙女", "侄子")
HEALTH = ("健康",) * 3 + ("一般",) * 4 + ("长年有病",) * 2 + ("生活不能自理",)
PLACES = ("上海市浦东新区", "北京市海淀区", "广州市天河区", "深圳市南山区", "杭州市西湖区")

HEADERS = ["编号", "姓名", "性别", "出生日期", "过农历生日", "离休/退休", "参加工作时间", "原单位",
           "职级", "党员", "入党时间", "党支部", "老年大学班级", "居住片区", "现住址", "联系电话",
           "健康状况", "独居", "生活困难", "异地安置", "安置地", "紧急联系人", "联系人关系", "联系人电话",
           "去世日期", "备注"]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


def _given(rng: random.Random, names: str) -> str:
    start = 2 * rng.randrange(len(names) // 2)
    return names[start:start + 2]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def person(rng: random.Random, number: int) -> list[object]:
    """One fictional retiree as a roster row, in HEADERS order."""
    male = rng.random() < 0.62
    name = rng.choice(SURNAMES) + _given(rng, GIVEN_MALE if male else GIVEN_FEMALE)
    born = _day(rng, date(1928, 1, 1), date(1956, 1, 1))
    work = _day(rng, date(born.year + 16, 1, 1), date(born.year + 22, 12, 31))
    status = "离休" if work < date(1949, 10, 1) else "退休"
    member = rng.random() < 0.8
    joined = _day(rng, work, work + timedelta(days=3650)) if member else None
    relocated = rng.random() < 0.08
    return [
        f"LT{number:05d}", name, "男" if male else "女", born.isoformat(),
        "是" if rng.random() < 0.3 else "否", status, work.isoformat(), rng.choice(UNITS),
        rng.choice(RANKS), "是" if member else "否", joined.isoformat() if joined else "",
        rng.choice(BRANCHES) if member else "", rng.choice(CLASSES) if rng.random() < 0.35 else "",
        rng.choice(AREAS), f"示例市{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
        _phone(rng), rng.choice(HEALTH), "是" if rng.random() < 0.15 else "否",
        "是" if rng.random() < 0.05 else "否", "是" if relocated else "否",
        rng.choice(PLACES) if relocated else "", rng.choice(SURNAMES) + _given(rng, GIVEN_MALE),
        rng.choice(RELATIONS), _phone(rng), "", "",
    ]


def generate(count: int, seed: int = 2026) -> list[list[object]]:
    """count fictional retirees; the same seed gives the same people."""
    rng = random.Random(seed)
    return [person(rng, n) for n in range(1, count + 1)]


if __name__ == "__main__":
    rows = generate(int(sys.argv[1]))
    write_sheet(Path(sys.argv[2]), HEADERS, rows)
    print(f"wrote {len(rows)} fictional retirees to {sys.argv[2]}")
