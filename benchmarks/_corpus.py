"""Realistic Chinese text for the benchmark repository: names, titles and draft bodies.

Everything here is deterministic given a `random.Random`, so the same seed always yields the
same repository. The text avoids what the content lint flags (classification markings,
personal data, un-anonymised party names), so the benchmark measures clean drafts.
"""

from __future__ import annotations

import random

# The 19 judicial stations and two sections of the shipped policies.yaml, then further
# sections of a justice bureau, so that 30 units look like the real bureau.
UNITS: list[tuple[str, str, str]] = [
    ("qingyang", "青阳司法所", "station"),
    ("meiling", "梅岭司法所", "station"),
    ("xiyuan", "西园司法所", "station"),
    ("luoshan", "罗山司法所", "station"),
    ("lingyuan", "灵源司法所", "station"),
    ("xintang", "新塘司法所", "station"),
    ("anhai", "安海司法所", "station"),
    ("cizao", "磁灶司法所", "station"),
    ("chendai", "陈埭司法所", "station"),
    ("chidian", "池店司法所", "station"),
    ("neikeng", "内坑司法所", "station"),
    ("zimao", "紫帽司法所", "station"),
    ("dongshi", "东石司法所", "station"),
    ("yonghe", "永和司法所", "station"),
    ("yinglin", "英林司法所", "station"),
    ("jinjing", "金井司法所", "station"),
    ("longhu", "龙湖司法所", "station"),
    ("shenhu", "深沪司法所", "station"),
    ("xibin", "西滨司法所", "station"),
    ("office", "办公室", "section"),
    ("publicity", "宣教科", "section"),
    ("lawyers", "律师工作科", "section"),
    ("notary", "公证管理科", "section"),
    ("mediation", "人民参与和促进法治科", "section"),
    ("correction", "社区矫正管理局", "section"),
    ("legalaid", "法律援助中心", "section"),
    ("review", "行政复议与应诉科", "section"),
    ("supervision", "法治督察科", "section"),
    ("political", "政治处", "section"),
    ("service", "公共法律服务中心", "section"),
]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边"  # noqa: E501
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红燕建国志斌鹏辉峰宇浩凯文婷雪琳晨晓东海波俊健彬帆锦源鸿瑞祥"  # noqa: E501

THEMES = [
    "人民调解",
    "社区矫正",
    "法律援助",
    "普法宣传",
    "公共法律服务",
    "安置帮教",
    "法治乡村建设",
    "矛盾纠纷排查化解",
    "宪法宣传",
    "民法典宣传",
    "禁毒宣传",
    "反电信网络诈骗宣传",
    "法律明白人培养",
    "企业合规指导",
    "行政执法协调监督",
    "未成年人保护",
    "老年人权益保障",
    "农民工欠薪调处",
    "律师进社区",
    "公证便民服务",
]

_PLACES = ["社区", "村", "学校", "企业", "工业园区", "集贸市场", "广场", "养老院", "工地"]

_TITLES: dict[str, list[str]] = {
    "党务政务宣传": [
        "{unit}开展“{theme}”主题党日活动",
        "{unit}召开{year}年{theme}工作推进会",
        "{unit}深入{place}开展{theme}活动",
    ],
    "信息主动公开": [
        "{unit}{year}年{month}月{theme}工作情况",
        "{unit}公布{year}年{theme}工作计划",
    ],
    "便民信息": [
        "{theme}服务指南（{year}年{month}月版）",
        "到{unit}办理{theme}事项，这些材料要备齐",
    ],
    "澄清回应": [
        "关于{theme}有关情况的说明",
        "{unit}回应群众关于{theme}的咨询",
    ],
    "其他公开信息": [
        "{unit}举办{theme}业务培训班",
        "{unit}{theme}工作获上级肯定",
    ],
}

_OPENERS = [
    "{date}，{unit}在{place}组织开展{theme}活动，",
    "为深入推进{theme}工作，{date}，{unit}联合辖区{place}开展专题活动，",
    "近日，{unit}围绕{theme}重点任务，走进{place}开展调研，",
]
_SENTENCES = [
    "工作人员通过发放宣传资料、现场讲解等方式，向群众普及与日常生活密切相关的法律知识。",
    "活动现场设置法律咨询台，为前来咨询的群众解答婚姻家庭、邻里纠纷、劳动争议等方面的问题。",
    "此次活动共发放宣传手册{n}余份，接受群众咨询{m}人次，取得了良好的社会效果。",
    "下一步，{unit}将继续坚持和发展新时代“枫桥经验”，把矛盾纠纷化解在基层、消除在萌芽状态。",
    "与会人员结合工作实际，围绕如何提升{theme}工作质效展开了深入交流。",
    "会议强调，要坚持以人民为中心，切实增强群众的获得感、幸福感、安全感。",
    "据统计，今年以来{unit}共受理各类事项{n}件，办结率达到百分之百。",
    "工作人员还结合典型案例，以案释法，引导群众遇事找法、办事依法、解决问题用法。",
    "在一起相邻关系纠纷中，当事人张某与李某因排水问题产生矛盾，经调解员耐心疏导，双方当场达成协议。",
    "社区矫正对象王某某按时报到，积极参加公益活动和教育学习，表现良好。",
    "群众纷纷表示，这样的活动接地气、很实用，希望今后能多举办。",
    "活动中，志愿者用通俗易懂的语言讲解法律条文，现场气氛热烈。",
    "{unit}还通过线上平台开展直播答疑，累计观看{m}人次。",
    "下一步将进一步完善工作机制，推动{theme}工作常态化、制度化开展。",
]
_HEADINGS = ["## 活动概况", "## 主要做法", "## 工作成效", "## 下一步打算"]

FORWARD_SOURCES: list[tuple[str, str]] = [
    ("司法部", "https://www.moj.gov.cn/pub/sfbgw/fzgz/{n}.html"),
    ("福建省司法厅", "https://sft.fujian.gov.cn/zwgk/gzdt/{n}.htm"),
    ("泉州市司法局", "https://sfj.quanzhou.gov.cn/xxgk/gzdt/{n}.htm"),
    ("中国长安网", "https://www.chinapeace.gov.cn/chinapeace/c100007/{n}.shtml"),
    ("新华网", "https://www.news.cn/legal/{n}.htm"),
    ("人民网", "http://legal.people.com.cn/n1/{n}.html"),
]
FORWARD_TITLES = [
    "{theme}典型案例发布",
    "新规解读｜{theme}相关规定正式施行",
    "以案释法：{theme}中的常见问题",
]
FORWARD_TYPES = ["时政热点", "新规政策", "普法案例"]

OPINIONS = {
    "unit_head": ["同意报送。", "内容属实，同意报送。", "已核实，同意。"],
    "secrecy_office": ["经审查，不涉及保密事项，同意发布。", "已审查，同意。"],
    "deputy": ["同意。", "同意，请按程序报批。"],
    "principal": ["同意发布。", "同意。"],
}
REJECTIONS = [
    "请补充活动的具体数据后重新报送。",
    "标题不够准确，请修改后重新报送。",
    "请核实文中的表述，人名请做匿名处理。",
]


def person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def title_for(rng: random.Random, category: str, unit: str, year: int, month: int) -> str:
    patterns = _TITLES.get(category) or _TITLES["其他公开信息"]
    title = rng.choice(patterns).format(
        unit=unit, theme=rng.choice(THEMES), year=year, month=month, place=rng.choice(_PLACES)
    )
    return title[:64]


def body_for(rng: random.Random, unit: str, year: int, month: int, day: int) -> str:
    """A Markdown body of roughly 1–2 KB of UTF-8."""
    target = rng.randint(1000, 2000)
    fill = {
        "unit": unit,
        "theme": rng.choice(THEMES),
        "place": rng.choice(_PLACES),
        "date": f"{year}年{month}月{day}日",
    }
    sentences = rng.sample(_SENTENCES, len(_SENTENCES))
    parts = [rng.choice(_OPENERS).format(**fill) + sentences.pop().format(**fill, n=300, m=80)]
    size = len(parts[0].encode())
    headings = iter(_HEADINGS)
    while size < target:
        if not sentences:
            sentences = rng.sample(_SENTENCES, len(_SENTENCES))
        if rng.random() < 0.25 and (heading := next(headings, None)):
            parts.append(heading)
        sentence = sentences.pop().format(**fill, n=rng.randint(50, 900), m=rng.randint(20, 600))
        parts.append(sentence)
        size += len(sentence.encode()) + 2
    return "\n\n".join(parts) + "\n"
