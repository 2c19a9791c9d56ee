"""A deterministic synthetic corpus for benchmarks: N associations, M disclosures of every kind.

    python benchmarks/corpus.py --documents 10000 --out /tmp/c10k [--associations 200]
                                [--seed 1] [--hugo-out /tmp/h10k]

The content tree passes `gongshi check`: valid profiles with real USCC check characters,
every kind's required fields, sanction subjects that are members of their association,
references that exist. Bodies are about 1.5 KB of Chinese Markdown each (headings, lists,
a table, links). No number in it could pass for a resident ID or a mobile number (the
build refuses personal data): every long code carries letters, and no digit run is
11 digits long.

`--hugo-out` writes the same documents as a Hugo site (taxonomies association and kind,
RSS and sitemap on, pagination 50 like gongshi, and its own minimal layouts with about the
same markup as gongshi's theme), so both generators are timed on the same corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.identifiers import USCC_ALPHABET, uscc_check_character  # noqa: E402

CITIES = ["深圳", "广州", "东莞", "佛山", "珠海", "中山", "惠州", "江门", "汕头", "湛江", "肇庆", "韶关"]
INDUSTRIES = [("珠宝首饰", "zhubao"), ("物业管理", "wuye"), ("家具", "jiaju"), ("电子商务", "dianshang"),
              ("建筑装饰", "zhuangshi"), ("餐饮", "canyin"), ("律师", "lvshi"), ("医疗器械", "qixie"),
              ("物流", "wuliu"), ("软件", "ruanjian"), ("钟表", "zhongbiao"), ("服装", "fuzhuang"),
              ("印刷", "yinshua"), ("汽车维修", "qixiu"), ("旅游", "lvyou"), ("眼镜", "yanjing")]
COMPANY_WORDS = ["金玉", "华南", "鹏程", "宏达", "信诚", "永安", "恒通", "东方", "前海", "南山", "创新", "汇丰",
                 "盛世", "联合", "万象", "新世纪", "安居", "明珠", "长城", "海峡"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "志强", "秀英", "丽华", "文明", "海燕", "国华", "晓东", "春梅", "卫东", "永红", "德胜"]

SENTENCES = [
    "本会坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实行业协会商会综合监管的各项要求。",
    "为规范会员单位经营行为，维护公平竞争的市场秩序，保护消费者合法权益，特制定本文件。",
    "会员单位应当诚实守信、依法经营，不得虚假宣传，不得以不正当手段排挤竞争对手。",
    "本会行业自律委员会对投诉线索进行了调查核实，听取了当事单位的陈述和申辩。",
    "经理事会审议通过，现将有关情况向社会公开，接受会员单位和社会公众的监督。",
    "各会员单位要对照规约条款开展自查自纠，发现问题及时整改，并将整改情况书面报送秘书处。",
    "本会将持续完善信用档案，对守信会员给予激励，对失信会员依照章程和规约实施惩戒。",
    "如对本公示内容有异议，可在公示期内向本会秘书处书面反映，本会将依规处理并答复。",
    "本年度共组织行业培训十二场，覆盖从业人员三千余人次，编印自律手册两千册。",
    "协会严格执行“六不准”服务承诺，不强制入会，不设名目乱收费，不强行服务。",
    "秘书处负责日常联络与信息报送工作，按季度汇总会员单位的经营和信用情况。",
    "对于情节轻微并及时改正的，可以从轻或者减轻惩戒；拒不改正的，依照规约从重处理。",
    "本会积极配合行业主管部门开展专项检查，推动行业标准化、规范化、品牌化发展。",
    "信用评价按照公开、公平、公正的原则进行，评价结果有效期为一年，期满重新评价。",
    "会员单位应当建立健全内部管理制度，明确质量责任，保证产品和服务符合有关标准。",
    "本规范自发布之日起施行，由本会行业自律委员会负责解释，原有规定与本规范不一致的以本规范为准。",
]
LIST_ITEMS = [
    "依法登记、合规经营，主动公示经营信息", "明码标价，不价外加价，不收取未予标明的费用",
    "建立客户投诉处理机制，七个工作日内答复", "不得诋毁其他经营者的商业信誉和商品声誉",
    "按规定签订书面合同，明确双方权利义务", "定期开展从业人员职业道德和业务培训",
    "妥善保存交易记录和票据，保存期限不少于三年", "不得利用会员身份从事与本会宗旨不符的活动",
    "配合本会开展信用评价和行业统计工作", "发现违规线索及时向本会行业自律委员会报告",
]
HEADINGS = ["一、基本情况", "二、主要内容", "三、处理意见", "四、工作要求", "五、监督方式", "六、附则"]
SUBHEADINGS = ["（一）适用范围", "（二）具体措施", "（三）责任分工", "（四）时间安排"]
MEASURES = ["warning", "internal_criticism", "public_censure", "membership_revoked", "referral"]
MEASURE_ZH = {"warning": "警告", "internal_criticism": "通报批评", "public_censure": "公开谴责",
              "membership_revoked": "取消会员资格", "referral": "通报有关部门"}
BODIES = ["congress", "council", "standing_council"]
PROMISES = ["no_forced_membership", "no_arbitrary_fees", "no_forced_services", "no_arbitrary_ratings",
            "no_slush_fund", "within_charter_scope"]
TOPICS = ["finances", "donations", "overseas_trips", "major_activities"]

# (kind, folder, weight): how disclosures spread over kinds (charters are one per association).
WEIGHTS = [("sanction", "sanctions", 20), ("licensing_penalty", "licensing-penalties", 14),
           ("credit_commitment", "credit-commitments", 12), ("list_entry", "red-black-lists", 9),
           ("credit_evaluation", "credit-evaluations", 5), ("convention", "conventions", 5),
           ("standard", "standards", 6), ("annual_report", "reports", 6),
           ("supervisory_report", "supervisory-reports", 6), ("ethics_code", "ethics-codes", 3),
           ("service_commitment", "service-commitments", 3), ("member_disclosure", "member-disclosures", 3),
           ("fee_standard", "fee-standards", 4), ("anti_bribery_system", "anti-bribery", 4)]
KIND_ZH = {"sanction": "行业惩戒", "licensing_penalty": "行政许可和行政处罚", "credit_commitment": "信用承诺",
           "list_entry": "诚信红黑名单", "credit_evaluation": "信用评价", "convention": "行业自律规约",
           "standard": "质量规范和服务标准", "annual_report": "年度报告", "supervisory_report": "向行业主管部门汇报",
           "ethics_code": "职业道德准则", "service_commitment": "服务承诺", "member_disclosure": "向会员公开的信息",
           "fee_standard": "会费标准", "anti_bribery_system": "反贿赂管理体系", "charter": "章程"}

START = dt.date(2019, 1, 1)
END = dt.date(2026, 5, 31)
AS_OF = dt.date(2026, 6, 30)   # benchmarks build as of this date


def uscc(prefix: str, n: int) -> str:
    """A valid USCC: prefix (with letters, so never a resident-ID look-alike) + n in base 31 + check."""
    body = []
    for _ in range(17 - len(prefix)):
        body.append(USCC_ALPHABET[n % 31])
        n //= 31
    first17 = prefix + "".join(reversed(body))
    return first17 + uscc_check_character(first17)


@dataclass
class Member:
    name: str
    uscc: str


@dataclass
class AssocPlan:
    slug: str
    name: str
    industry: str
    city: str
    uscc: str
    members: list[Member]


@dataclass
class Doc:
    association: AssocPlan
    kind: str
    folder: str | None      # None: the charter
    id: str
    date: dt.date
    front: dict[str, Any]
    body: str

    @property
    def rel(self) -> str:
        base = f"associations/{self.association.slug}"
        return f"{base}/charter.md" if self.folder is None else f"{base}/{self.folder}/{self.id}.md"

    @property
    def url(self) -> str:
        base = f"/associations/{self.association.slug}"
        return f"{base}/charter/" if self.folder is None else f"{base}/{self.folder}/{self.id}/"


# --- YAML (written by hand: deterministic, and quoted where YAML would guess a type) ----------


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_yaml(data: dict[str, Any], indent: int = 0) -> str:
    pad = " " * indent
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:\n{to_yaml(value, indent + 2)}")
        elif isinstance(value, list):
            if not value:
                out.append(f"{pad}{key}: []\n")
                continue
            out.append(f"{pad}{key}:\n")
            for item in value:
                if isinstance(item, dict):
                    inner = to_yaml(item, indent + 4)
                    out.append(f"{pad}  - {inner.lstrip()}")
                else:
                    out.append(f"{pad}  - {_scalar(item)}\n")
        else:
            out.append(f"{pad}{key}: {_scalar(value)}\n")
    return "".join(out)


# --- text ---------------------------------------------------------------------------------------


def paragraph(rng: random.Random, n: int) -> str:
    """n sentences; in half the paragraphs the line is broken after the first comma, as
    secretariats wrap long lines in their editors: three documents in four then hold a
    wrapped paragraph, as 52 of content/'s 71 bodies do (a corpus of one-line paragraphs
    would flatter a Markdown fast path that real content does not take)."""
    text = "".join(rng.choice(SENTENCES) for _ in range(n))
    return text.replace("，", "，\n", 1) if rng.random() < 1 / 2 else text


def body_text(rng: random.Random, doc_title: str, links: list[tuple[str, str]]) -> str:
    """About 1.1 KB of Markdown: headings, a list, a table, links (the front matter adds the rest)."""
    h = rng.sample(HEADINGS, 3)
    if rng.random() < 1 / 3:    # numbered as charters number their chapters: 第一章　总则
        h[0] = "第一章\u3000" + h[0]
    items = rng.sample(LIST_ITEMS, 3)
    rows = "".join(f"| {i + 1} | {rng.choice(LIST_ITEMS)} | {rng.randint(2019, 2026)}年{rng.randint(1, 12)}月 |\n"
                   for i in range(3))
    link_text = "、".join(f"[{t}]({u})" for t, u in links) or "本会网站"
    return (f"## {h[0]}\n\n{paragraph(rng, 1)}\n\n"
            f"## {h[1]}\n\n" + "".join(f"{i + 1}. {t}；\n" for i, t in enumerate(items)) +
            f"\n### {rng.choice(SUBHEADINGS)}\n\n{paragraph(rng, 1)}\n\n"
            f"| 序号 | 事项 | 时间 |\n| --- | --- | --- |\n{rows}\n"
            f"## {h[2]}\n\n关于《{doc_title}》的详细情况，参见{link_text}以及"
            f"[信用中国](https://www.creditchina.gov.cn/)。\n")


def rand_date(rng: random.Random, lo: dt.date = START, hi: dt.date = END) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


# --- plan -----------------------------------------------------------------------------------


def plan_associations(rng: random.Random, count: int) -> list[AssocPlan]:
    out = []
    for i in range(count):
        industry, pinyin = INDUSTRIES[i % len(INDUSTRIES)]
        city = CITIES[(i // len(INDUSTRIES)) % len(CITIES)]
        members = [Member(f"{city}市{rng.choice(COMPANY_WORDS)}{industry}有限公司第{j + 1}分公司",
                          uscc(f"91440{(i % 90) + 10:02d}0MA", i * 1000 + j)) for j in range(24)]
        out.append(AssocPlan(slug=f"{pinyin}-{i + 1:04d}", name=f"{city}市{industry}行业协会（{i + 1}）",
                             industry=industry, city=city, uscc=uscc("51440300MJ", i + 7), members=members))
    return out


def profile(a: AssocPlan, rng: random.Random) -> dict[str, Any]:
    rep = person(rng)
    return {
        "name": a.name, "short_name": f"{a.city}{a.industry}协会", "uscc": a.uscc, "industry": a.industry,
        "registration": {"certificate_number": f"{a.city}社证字第 {rng.randint(1000, 9999)} 号",
                         "authority": f"{a.city}市民政局", "registered_on": rand_date(rng, dt.date(2005, 1, 1), dt.date(2018, 1, 1))},
        "supervisory_departments": [f"{a.city}市市场监督管理局"],
        "legal_representative": rep, "address": f"{a.city}市福田区福华一路 {rng.randint(1, 300)} 号",
        "telephone": f"0755-8{rng.randint(1000000, 9999999)}", "member_count": 24 + rng.randint(0, 400),
        "leaders": [{"name": rep, "role": "会长"}, {"name": person(rng), "role": "秘书长"}],
        "council": [{"name": person(rng), "role": "理事", "organisation": m.name} for m in a.members[:5]],
        "structure": ["秘书处", "行业自律委员会", "专业委员会"],
        "party_organisation": {"type": "党支部", "name": f"{a.name}党支部", "secretary": person(rng), "members": rng.randint(3, 30)},
        "members": [{"name": m.name, "uscc": m.uscc} for m in a.members],
        "joined_site_on": dt.date(2019, 1, 1), "updated_on": dt.date(2026, 1, 15),
        "summary": f"{a.name}是由{a.city}市{a.industry}行业的企业自愿组成的非营利性社会组织。",
    }


def _subject(rng: random.Random, a: AssocPlan) -> dict[str, Any]:
    m = rng.choice(a.members)
    return {"name": m.name, "uscc": m.uscc}


def front_matter(kind: str, rng: random.Random, a: AssocPlan, d: dt.date, n: int) -> tuple[str, dict[str, Any]]:
    """(title, kind-specific fields) for a document of `kind` dated `d`."""
    y = d.year
    if kind == "sanction":
        m = rng.choice(MEASURES)
        subj = _subject(rng, a)
        return (f"关于对{subj['name']}予以{MEASURE_ZH[m]}的决定", {
            "decision_number": f"{a.city}{a.industry[:1]}协自律〔{y}〕{n}号", "subject": subj, "measure": m,
            "rule_broken": "《行业自律公约》第十二条", "violation_type": "虚假宣传",
            "facts": "在广告宣传中使用“最高级”“最佳”等用语，误导消费者。", "basis": "《行业自律公约》第二十条",
            "decided_by": "行业自律委员会", "decided_on": d, "published_on": d + dt.timedelta(days=rng.randint(1, 6))})
    if kind == "licensing_penalty":
        subj = _subject(rng, a)
        if rng.random() < 0.5:
            return (f"{subj['name']}行政许可信息", {
                "category": "licensing", "decision_number": f"{a.city}市监许〔{y}〕{n}号", "subject": subj,
                "authority": f"{a.city}市市场监督管理局", "decided_on": d, "licence_type": "普通",
                "licence_name": "食品经营许可证", "licence_number": f"JY{a.uscc[2:8]}X{n}", "licence_content": "预包装食品销售"})
        return (f"{subj['name']}行政处罚信息", {
            "category": "penalty", "decision_number": f"{a.city}市监罚〔{y}〕{n}号", "subject": subj,
            "authority": f"{a.city}市市场监督管理局", "decided_on": d, "violation_type": "价格违法",
            "facts": "未按规定明码标价。", "basis": "《中华人民共和国价格法》第四十二条", "penalty_type": "罚款",
            "penalty_content": "罚款人民币五千元", "fine_amount": 0.5})
    if kind == "credit_commitment":
        subj = _subject(rng, a)
        return (f"{subj['name']}信用承诺书", {"committer": subj, "committed_on": d, "accepts_sanctions": True})
    if kind == "list_entry":
        lt = rng.choice(["red", "black"])
        subj = _subject(rng, a)
        return (f"关于将{subj['name']}列入{'红' if lt == 'red' else '黑'}名单的公告", {
            "list_type": lt, "subject": subj, "reason": "连续三年信用评价为 AAA 级" if lt == "red" else "严重违反行业自律公约",
            "decided_on": d, "measures": ["优先推荐参加评优"] if lt == "red" else ["暂停会员权利一年"]})
    if kind == "credit_evaluation":
        ms = rng.sample(a.members, 4)
        return (f"{y}年度会员企业信用评价结果（第{n}批）", {
            "evaluated_on": d, "method": f"《会员企业信用评价办法（{y}年修订）》",
            "ratings": [{"name": m.name, "uscc": m.uscc, "grade": rng.choice(["AAA", "AA", "A", "B"])} for m in ms]})
    if kind == "convention":
        return (f"{a.industry}行业自律公约（{y}年修订第{n}版）", {
            "adopted_by": rng.choice(["congress", "council"]), "adopted_on": d, "meeting": "第三届会员代表大会第二次会议",
            "effective_on": d + dt.timedelta(days=30), "published_on": d + dt.timedelta(days=3)})
    if kind == "standard":
        return (f"{a.industry}服务规范（第{n}号）", {
            "standard_type": rng.choice(["quality", "service"]), "number": f"T/SZ{a.slug[:2].upper()} {n:03d}-{y}",
            "adopted_on": d, "effective_on": d + dt.timedelta(days=60)})
    if kind == "annual_report":
        return (f"{y}年度行业自律工作报告（{n}）", {
            "report_type": rng.choice(["self_regulation", "work", "social_responsibility"]), "year": y,
            "submitted_to": [f"{a.city}市民政局"], "submitted_on": d, "published_on": d})
    if kind == "supervisory_report":
        half = 1 if d.month <= 6 else 2
        return (f"{y}年{'上' if half == 1 else '下'}半年工作情况汇报（{n}）", {
            "period": f"{y}-H{half}", "department": f"{a.city}市市场监督管理局", "reported_on": d})
    if kind == "ethics_code":
        return (f"{a.industry}从业人员职业道德准则（第{n}版）", {
            "adopted_on": d, "adopted_by": "council", "bans_bribery": True, "bribery_clause": "第六条"})
    if kind == "service_commitment":
        return (f"{y}年度服务承诺（{n}）", {"committed_on": d, "promises": PROMISES,
                                        "fee_items": ["会员培训：每人每次三百元"]})
    if kind == "member_disclosure":
        return (f"{y}年度财务收支情况（{n}）", {"audience": "members", "topic": rng.choice(TOPICS),
                                          "period": f"{y} 年度", "disclosed_on": d})
    if kind == "fee_standard":
        return (f"会费标准（{y}年第{n}次调整）", {
            "adopted_by": "congress", "vote_method": "secret_ballot", "adopted_on": d,
            "fees": [{"member_class": "会长单位", "amount_yuan": 20000}, {"member_class": "会员单位", "amount_yuan": 2000}]})
    if kind == "anti_bribery_system":
        return (f"反贿赂管理制度（第{n}版）", {"adopted_on": d, "risk_assessed_on": d + dt.timedelta(days=10),
                                          "procedures": ["风险评估", "风险识别", "处置程序"]})
    raise ValueError(kind)


def plan(documents: int, associations: int, seed: int) -> tuple[list[AssocPlan], list[Doc]]:
    rng = random.Random(seed)
    assocs = plan_associations(rng, associations)
    docs: list[Doc] = []
    for a in assocs:  # one charter each
        d = rand_date(rng, dt.date(2015, 1, 1), dt.date(2019, 1, 1))
        docs.append(Doc(a, "charter", None, "charter", d, {
            "title": f"{a.name}章程", "adopted_on": d, "party_building_clause": "第四条",
            "self_regulation_clause": "第二十八条"}, ""))
    kinds = [k for k, _f, w in WEIGHTS for _ in range(w)]
    folders = {k: f for k, f, _w in WEIGHTS}
    counters: dict[tuple[str, str], int] = {}
    conventions: dict[str, list[Doc]] = {}
    for i in range(max(documents - len(assocs), 0)):
        a = assocs[i % len(assocs)]
        kind = kinds[rng.randrange(len(kinds))]
        n = counters[(a.slug, kind)] = counters.get((a.slug, kind), 0) + 1
        d = rand_date(rng)
        title, fields = front_matter(kind, rng, a, d, n)
        doc_id = f"{d.year}-{KIND_ZH[kind][:4]}-{n:04d}"
        front: dict[str, Any] = {"title": title, **fields}
        front["summary"] = f"{a.name}{KIND_ZH[kind]}：{title}。"
        if kind not in ("member_disclosure",) and rng.random() < 0.3:
            front["tags"] = [a.industry, KIND_ZH[kind]]
        doc = Doc(a, kind, folders[kind], doc_id, d, front, "")
        prior = conventions.get(a.slug, [])
        if prior and kind in ("sanction", "list_entry"):
            front["references"] = [f"conventions/{prior[0].id}"]
        if kind == "convention":
            conventions.setdefault(a.slug, []).append(doc)
        docs.append(doc)
    # Bodies last: links point at documents that exist (the association's first ones).
    targets: dict[str, list[Doc]] = {}
    for doc in docs[len(assocs):]:
        if doc.front.get("audience") != "members" and len(targets.setdefault(doc.association.slug, [])) < 2:
            targets[doc.association.slug].append(doc)
    for doc in docs:
        links = [(o.front["title"][:12], o.url) for o in targets.get(doc.association.slug, []) if o is not doc]
        doc.body = body_text(rng, doc.front["title"], links)
    return assocs, docs


# --- writers ------------------------------------------------------------------------------------

SITE_YAML = """title: 行业协会商会自律信息公示平台（基准测试）
base_url: https://bench.example.org
page_size: 50
"""


def write_gongshi(assocs: list[AssocPlan], docs: list[Doc], out: Path, seed: int) -> None:
    rng = random.Random(seed + 1)
    (out / "associations").mkdir(parents=True)
    (out / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for a in assocs:
        d = out / "associations" / a.slug
        d.mkdir()
        (d / "association.yaml").write_text(to_yaml(profile(a, rng)), encoding="utf-8")
    made: set[Path] = set()
    for doc in docs:
        path = out / doc.rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(f"---\n{to_yaml(doc.front)}---\n\n{doc.body}", encoding="utf-8")


HUGO_CONFIG = """baseURL = "https://bench.example.org/"
languageCode = "zh-cn"
title = "行业协会商会自律信息公示平台（基准测试）"
disableKinds = []
enableRobotsTXT = true
[pagination]
  pagerSize = 50
paginate = 50
[taxonomies]
  association = "associations"
  kind = "kinds"
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML", "RSS"]
  taxonomy = ["HTML", "RSS"]
  term = ["HTML", "RSS"]
[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} · {{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ .Site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="{{ .Site.Title }}" href="/index.xml">
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header class="site-header">
  <a class="brand" href="/">{{ .Site.Title }}</a>
  <nav aria-label="主导航"><ul>
    <li><a href="/associations/">协会名录</a></li><li><a href="/kinds/行业惩戒/">行业惩戒</a></li>
    <li><a href="/compliance/">合规情况</a></li><li><a href="/search/">搜索</a></li>
  </ul></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><p>本平台信息由各行业协会商会依法公示。</p>
<p><a href="/index.xml">订阅</a> · <a href="/data/">开放数据</a></p></footer>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}
<nav class="crumbs" aria-label="位置"><a href="/">首页</a>{{ with .Parent }} › <a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<article>
<header>
  <p class="kind-label">{{ range .Params.kinds }}<span class="badge">{{ . }}</span>{{ end }}</p>
  <h1>{{ .Title }}</h1>
  {{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
</header>
<table class="facts"><caption>基本信息</caption><tbody>
{{ range .Params.facts }}<tr><th scope="row">{{ index . 0 }}</th><td>{{ index . 1 }}</td></tr>
{{ end }}</tbody></table>
{{ if gt (len .TableOfContents) 80 }}<nav class="toc" aria-label="目录">{{ .TableOfContents }}</nav>{{ end }}
<div class="body">{{ .Content }}</div>
<section class="history"><h2>修订记录</h2><p>未纳入版本库，日期为声明日期。</p></section>
</article>
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<nav class="crumbs" aria-label="位置"><a href="/">首页</a></nav>
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $pag := .Paginate .Pages }}
{{ if $pag.Pages }}<ul class="doc-list">
{{ range $pag.Pages }}<li class="doc-item"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<span class="meta">{{ range .Params.kinds }}<span class="badge">{{ . }}</span>{{ end }}
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time></span></li>
{{ end }}</ul>{{ else }}<p class="empty">暂无公示内容。</p>{{ end }}
{{ if gt $pag.TotalPages 1 }}<nav class="pager" aria-label="分页">
{{ with $pag.Prev }}<a rel="prev" href="{{ .URL }}">上一页</a>{{ end }}
<span>第 {{ $pag.PageNumber }} 页 / {{ $pag.TotalPages }}</span>
{{ with $pag.Next }}<a rel="next" href="{{ .URL }}">下一页</a>{{ end }}</nav>{{ end }}
{{ end }}
""",
    "index.html": """{{ define "main" }}
<section class="intro"><h1>{{ .Site.Title }}</h1></section>
<section><h2>最新公示</h2><ul class="doc-list">
{{ range first 20 .Site.RegularPages.ByDate.Reverse }}<li class="doc-item"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time></li>
{{ end }}</ul></section>
<section><h2>协会名录</h2><ul class="cards">
{{ range .Site.Taxonomies.associations }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="meta">{{ .Count }}</span></li>
{{ end }}</ul></section>
{{ end }}
""",
}


def _facts(front: dict[str, Any]) -> list[list[str]]:
    rows = []
    for key, value in front.items():
        if key in ("title", "summary", "tags", "references", "audience"):
            continue
        if isinstance(value, dict):
            value = "；".join(f"{k}：{v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "、".join(str(v if not isinstance(v, dict) else "；".join(map(str, v.values()))) for v in value)
        rows.append([key, str(value)])
    return rows


def write_hugo(assocs: list[AssocPlan], docs: list[Doc], out: Path) -> None:
    """The same public documents as a Hugo site: one section per association, taxonomies."""
    (out / "content" / "associations").mkdir(parents=True)
    (out / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        p = out / "layouts" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (out / "static").mkdir()
    style = Path(__file__).resolve().parent.parent / "themes" / "default" / "static" / "style.css"
    if style.is_file():
        shutil.copy(style, out / "static" / "style.css")
    for a in assocs:
        d = out / "content" / "associations" / a.slug
        d.mkdir()
        (d / "_index.md").write_text(f"---\n{to_yaml({'title': a.name, 'summary': a.name + '的自律信息公示'})}---\n\n"
                                     f"统一社会信用代码：{a.uscc}；所属行业：{a.industry}。\n", encoding="utf-8")
    made: set[Path] = set()
    for doc in docs:
        if doc.front.get("audience") == "members":
            continue  # never public, as in gongshi
        rel = doc.rel.replace("/charter.md", "/charter/index.md")
        path = out / "content" / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        front = {"title": doc.front["title"], "date": doc.date, "summary": doc.front.get("summary", doc.front["title"]),
                 "associations": [doc.association.name], "kinds": [KIND_ZH[doc.kind]], "facts": _facts(doc.front)}
        path.write_text(f"---\n{to_yaml(front)}---\n\n{doc.body}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--documents", type=int, required=True)
    p.add_argument("--associations", type=int, default=None, help="default: one per 50 documents")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--hugo-out", type=Path, default=None)
    args = p.parse_args(argv)
    n_assoc = args.associations or max(1, args.documents // 50)
    assocs, docs = plan(args.documents, n_assoc, args.seed)
    for target in (args.out, args.hugo_out):
        if target is not None and target.exists():
            shutil.rmtree(target)
    write_gongshi(assocs, docs, args.out, args.seed)
    if args.hugo_out is not None:
        write_hugo(assocs, docs, args.hugo_out)
    print(f"{len(docs)} documents in {len(assocs)} associations → {args.out}"
          + (f" (+ Hugo twin → {args.hugo_out})" if args.hugo_out else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
