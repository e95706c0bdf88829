"""Regenerate the sample images of docs/forms.md and docs/rendering.md.

    .venv/bin/python docs/img/make_samples.py

- form-sample.png: page 1 of a form (a draft in review, two of four boxes signed), drawn
  by pdfium from the PDF `fzjj form` writes;
- article-sample.png: the `fzjj render --preview` page of the example article in
  docs/rendering.md, photographed by headless Chromium at the WeChat column width;
- forward-sample.png: the same for a forward (转载) from the Ministry of Justice, with its
  来源 block.

Chromium is needed only here (never by the tests or CI). It gets its CJK font through a
private fontconfig file pointing at the fonts fzjj installs (pylopdf-fonts-zh-cn), so the
machine needs no system CJK font either. Both images are reduced to a 64-colour palette to
stay small.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2
from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ARTICLE = """---
id: 2026-11-qingyang-demo
title: 青阳司法所开展“法律明白人”培训
unit: qingyang
kind: original
category: 党务政务宣传
reuse:
  - name: 中国普法网
    title: 什么是“法律明白人”
    url: https://www.legalinfo.gov.cn/pub/a.html
---
## 一、培训内容

培训围绕《民法典》婚姻家庭编展开，详见[司法部通知](https://www.moj.gov.cn/x.html)。
往期报道见[法治晋江](https://mp.weixin.qq.com/s/abc123)。

1. 人民调解实务
2. 常见纠纷
   - 邻里纠纷
   - 婚姻家庭纠纷

> 学员表示：“学了就能用，回村就能讲。”

| 场次 | 人数 |
|:--|--:|
| 上午 | 42 |
| 下午 | 37 |
"""
FORWARD = """---
id: 2026-11-publicity-forward
title: 司法部：进一步加强公共法律服务体系建设
unit: publicity
kind: forward
category: 转发上级信息
source:
  name: 司法部
  title: 司法部印发意见进一步加强公共法律服务体系建设
  url: https://www.moj.gov.cn/pub/sfbgw/zwxxgk/202611/t20261120_000001.html
  type: 新规政策
---
司法部近日印发意见，对进一步加强公共法律服务体系建设作出部署。

意见提出，要推进公共法律服务实体、热线、网络平台融合发展。
"""
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def save_small(image: Image.Image, target: Path) -> None:
    image.convert("RGB").quantize(colors=64).save(target, format="PNG", optimize=True)
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")


def form_sample() -> None:
    from fzjj.render.form import form_data
    from fzjj.render.pdf import render_form_pdf
    from test_form import make_draft, make_policy, make_state

    draft = make_draft()
    data = form_data(make_state(draft, 2), draft, make_policy())
    document = pypdfium2.PdfDocument(render_form_pdf(data))
    try:
        image = document[0].render(scale=1.4).to_pil()
    finally:
        document.close()
    save_small(image, HERE / "form-sample.png")


def article_sample(text: str, editor: str, reviewers: list[str], image: str) -> None:
    from fzjj.draft import parse_draft
    from fzjj.policy import parse_policy
    from fzjj.render.article import render_article, render_preview

    browser = next((b for b in map(shutil.which, CHROMIUM) if b), None)
    if browser is None:
        sys.exit(f"{image} needs Chromium (apt-get install chromium)")
    policy = parse_policy((ROOT / "policies.yaml").read_text("utf-8"))
    draft = parse_draft(text.encode("utf-8"), "content/2026/11/demo.md")
    fragment = render_article(draft, policy, repo_root=ROOT, editor=editor, reviewers=reviewers)
    page = render_preview(fragment, title=draft.meta.title, repo_root=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "preview.html").write_text(page, "utf-8")
        _screenshot(browser, work)
        with Image.open(work / "shot.png") as shot:
            save_small(_trim(shot), HERE / image)


def _screenshot(browser: str, work: Path) -> None:
    import pylopdf_fonts_zh_cn

    fonts = Path(pylopdf_fonts_zh_cn.__file__).parent
    conf = work / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=fonts, cache=work / "cache"), "utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=760,1500",
        f"--screenshot={work / 'shot.png'}",
        (work / "preview.html").as_uri(),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)


def _trim(image: Image.Image) -> Image.Image:
    """Cut the empty grey band below the page."""
    gray = image.convert("L")
    width, height = gray.size
    bottom = height
    while bottom > 1 and gray.crop((0, bottom - 1, width, bottom)).getextrema()[1] < 250:
        bottom -= 1
    return image.crop((0, 0, width, min(bottom + 16, height)))


if __name__ == "__main__":
    form_sample()
    article_sample(ARTICLE, "林青", ["陈岚", "许明", "王强", "李华"], "article-sample.png")
    article_sample(FORWARD, "蔡文", ["洪宇", "许明", "王强", "李华"], "forward-sample.png")
