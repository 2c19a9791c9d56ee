"""Synthetic disclosure records for the search tests (deterministic: seeded)."""

from __future__ import annotations

import random

from generator.search import SearchRecord

PHRASES = [
    "行业自律", "公开谴责", "警告", "行业内通报批评", "取消会员资格", "向有关部门通报", "会员代表大会",
    "理事会", "监事会", "诚信建设", "信用承诺", "服务承诺", "反贿赂管理体系", "质量规范", "服务标准",
    "职业道德准则", "违反行规行约", "虚假宣传", "珠宝玉石", "黄金饰品", "检测报告", "消费者投诉",
    "价格欺诈", "不正当竞争", "商业贿赂", "财务收支", "社会责任", "统一社会信用代码", "登记管理机关",
    "行业主管部门", "备案", "整改", "约谈", "会费标准", "无记名投票", "党建工作", "章程", "廉洁从业",
    "红黑名单", "联合惩戒", "ISO9001认证", "2025年度", "深纪发〔2018〕1号",
]
KINDS = [("sanction", "行业惩戒"), ("convention", "行规行约"),
         ("credit_commitment", "信用承诺"), ("annual_report", "行业自律工作年度报告")]
MEASURES = ["warning", "internal_criticism", "public_censure", "membership_revoked", "referral"]
ASSOCIATIONS = [("shenzhen-jewelry", "深圳市珠宝首饰行业协会"), ("gd-hotel", "广东省饭店协会"),
                ("sz-lawyers", "深圳市律师协会"), ("gz-logistics", "广州市物流行业协会")]


def small_corpus(n: int = 120, seed: int = 7) -> list[SearchRecord]:
    """Short documents made of domain phrases, so queries have many partial matches."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        slug, name = ASSOCIATIONS[i % len(ASSOCIATIONS)]
        kind, label = KINDS[rng.randrange(len(KINDS))]
        clauses = [rng.choice(PHRASES) + rng.choice(["的", "和", "及", "对", "", "，"]) + rng.choice(PHRASES)
                   for _ in range(rng.randint(2, 12))]
        body = "。\n".join(clauses) + "。"
        title = f"关于{rng.choice(PHRASES)}的{rng.choice(['决定', '通知', '公告', '报告'])}（{i}号）"
        year = 2021 + rng.randrange(5)
        records.append(SearchRecord(
            doc_id=f"{slug}/{kind}/{year}-{i:03}", url=f"/associations/{slug}/{kind}/{year}-{i:03}/",
            title=title, body=body, association=slug, association_name=name, kind=kind,
            kind_label=label, year=year, date=f"{year}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
            measure=rng.choice(MEASURES) if kind == "sanction" else None,
            content_hash=f"{i:064x}"))
    return records


def zipf_corpus(n: int, seed: int = 11) -> tuple[list[SearchRecord], list[str]]:
    """Documents over a Zipf-distributed vocabulary of 3,000 random Chinese words, closer to
    real text than small_corpus (where every phrase is in most documents): for sizing."""
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    vocab = ["".join(rng.choice(chars) for _ in range(rng.choice([2, 2, 2, 3, 4]))) for _ in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    records = []
    for i in range(n):
        slug = f"assoc-{i % 100:03}"
        kind, label = KINDS[i % len(KINDS)]
        words = rng.choices(vocab, weights, k=rng.randint(40, 160))
        body = "".join(w + ("，" if rng.random() < 0.15 else "") for w in words) + "。"
        title = "".join(rng.choices(vocab, weights, k=rng.randint(3, 8)))
        year = 2020 + i % 6
        records.append(SearchRecord(
            doc_id=f"{slug}/{kind}/{i:05}", url=f"/associations/{slug}/{kind}/{i:05}/", title=title,
            body=body, association=slug, association_name=f"第{i % 100}号行业协会", kind=kind,
            kind_label=label, year=year, date=f"{year}-01-01",
            measure=MEASURES[i % 5] if kind == "sanction" else None))
    return records, vocab
