"""UI strings. Content stays as written; only the interface is translated."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "home": ("首页", "Home"),
    "associations": ("协会名录", "Associations"),
    "search": ("搜索", "Search"),
    "compliance": ("合规情况", "Compliance"),
    "sanctions": ("行业惩戒", "Sanctions"),
    "latest": ("最新公示", "Latest disclosures"),
    "sanctions_in_force": ("公示期内的行业惩戒", "Sanctions in force"),
    "counts": ("统计", "Figures"),
    "documents": ("公示文件", "Disclosures"),
    "profile": ("协会概况", "Profile"),
    "self_regulation_body": ("行业自律机构", "Self-regulation body"),
    "published_on": ("公示日期", "Published"),
    "decided_on": ("决定日期", "Decided"),
    "history": ("修订记录", "Revision history"),
    "amendments": ("更正记录", "Amendments"),
    "attachments": ("附件", "Attachments"),
    "references": ("相关文档", "Related documents"),
    "no_history": ("此站点的内容不在 git 仓库中：日期为声明日期，未经提交记录核验。",
                   "This content is not in a git repository: dates are declared, not attested by commits."),
    "not_found": ("页面不存在", "Page not found"),
    "not_found_text": ("您访问的页面不存在或已过公示期。", "The page does not exist or its publication period has ended."),
    "back_home": ("返回首页", "Back to the home page"),
    "skip": ("跳到正文", "Skip to content"),
    "page": ("第 {n} 页", "Page {n}"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "all_kinds": ("全部类型", "All kinds"),
    "members_count": ("会员数量", "Members"),
    "industry": ("所属行业", "Industry"),
    "supervisory": ("行业主管部门", "Supervisory department"),
    "uscc": ("统一社会信用代码", "USCC"),
    "expires_on": ("公示截止日期", "Public until"),
    "feed": ("订阅", "Feed"),
    "open_data": ("开放数据", "Open data"),
    "language": ("English", "中文"),
    "footer": ("本站由 gongshi 生成。公示内容由各协会依据《关于加强党的领导推进行业自律拓展预防腐败工作领域的实施意见》等文件发布。",
               "Built with gongshi. Each association publishes its own disclosures."),
}


def translate(key: str, lang: str = "zh", **params: object) -> str:
    zh, en = STRINGS.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text
