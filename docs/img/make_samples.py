"""Regenerate the sample images of docs/forms.md and docs/rendering.md.

    .venv/bin/python docs/img/make_samples.py

- form-sample.png: page 1 of a form (a draft in review, two of four boxes signed), drawn
  by pdfium from the PDF `fzjj form` writes;
- article-sample.png: the `fzjj render --preview` page of the example article in
  docs/rendering.md, photographed by headless Chromium at the WeChat column width;
- forward-sample.png: the same for a forward (转载) from the Ministry of Justice, with its
  来源 block;
- form-html-sample.png: the same form as A4 HTML (`fzjj form -o x.html`), photographed by
  Chromium with every Chinese system font rejected, to show that the page's own inlined
  font is what prints it.

Chromium is needed only here (never by the tests or CI). It gets its CJK font through a
private fontconfig file pointing at the fonts fzjj installs (pylopdf-fonts-zh-cn), so the
machine needs no system CJK font either. Both images are reduced to a 64-colour palette to
stay small.

samples.json records, for each image, a fingerprint of what was photographed (the text
pdfium reads from the form's page 1; the preview page's HTML) and the image's own SHA-256.
tests/test_render_article.py recomputes the fingerprints: when the renderer's output
changes, the test fails until the images are made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2
from PIL import Image

if TYPE_CHECKING:
    from fzjj.render.form import FormData

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
NO_CJK_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
  </rejectfont></selectfont>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""
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


def form_pdf() -> bytes:
    """The sample form: a draft in review, two of four boxes signed."""
    from fzjj.render.pdf import render_form_pdf

    return render_form_pdf(_form_data())


def form_html() -> str:
    """The same form as HTML."""
    from fzjj.render.form import render_form_html

    return render_form_html(_form_data(), repo_root=None)


def _form_data() -> FormData:
    from fzjj.render.form import form_data
    from test_form import make_draft, make_policy, make_state

    draft = make_draft()
    return form_data(make_state(draft, 2), draft, make_policy())


def article_page(text: str, editor: str, reviewers: list[str]) -> str:
    """The --preview page of a sample draft, rendered with the packaged defaults."""
    from fzjj.draft import parse_draft
    from fzjj.policy import parse_policy
    from fzjj.render.article import render_article, render_preview

    policy = parse_policy((ROOT / "policies.yaml").read_text("utf-8"))
    draft = parse_draft(text.encode("utf-8"), "content/2026/11/demo.md")
    fragment = render_article(draft, policy, repo_root=None, editor=editor, reviewers=reviewers)
    return render_preview(fragment, title=draft.meta.title, repo_root=None)


ARTICLES = {
    "article-sample.png": (ARTICLE, "林青", ["陈岚", "许明", "王强", "李华"]),
    "forward-sample.png": (FORWARD, "蔡文", ["洪宇", "许明", "王强", "李华"]),
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprints() -> dict[str, str]:
    """Image name → SHA-256 of what it shows (form text; preview HTML)."""
    document = pypdfium2.PdfDocument(form_pdf())
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    prints = {"form-sample.png": _sha(text.encode("utf-8"))}
    # the inlined font's bytes depend on the fontTools version, not on what the page shows
    page = re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,…", form_html())
    prints["form-html-sample.png"] = _sha(page.encode("utf-8"))
    for image, (draft, editor, reviewers) in ARTICLES.items():
        prints[image] = _sha(article_page(draft, editor, reviewers).encode("utf-8"))
    return prints


def form_sample() -> None:
    document = pypdfium2.PdfDocument(form_pdf())
    try:
        image = document[0].render(scale=1.4).to_pil()
    finally:
        document.close()
    save_small(image, HERE / "form-sample.png")


def article_sample(image: str) -> None:
    page = article_page(*ARTICLES[image])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "preview.html").write_text(page, "utf-8")
        _screenshot(_browser(image), work, FONTS_CONF, "--window-size=760,1500")
        with Image.open(work / "shot.png") as shot:
            save_small(_trim(shot), HERE / image)


def form_html_sample() -> None:
    image = "form-html-sample.png"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "preview.html").write_text(form_html(), "utf-8")
        _screenshot(_browser(image), work, NO_CJK_CONF, "--window-size=900,1200")
        with Image.open(work / "shot.png") as shot:
            save_small(shot, HERE / image)


def _browser(image: str) -> str:
    browser = next((b for b in map(shutil.which, CHROMIUM) if b), None)
    if browser is None:
        sys.exit(f"{image} needs Chromium (apt-get install chromium)")
    return browser


def write_record() -> None:
    """samples.json: per image, the fingerprint of its source and the image's SHA-256."""
    record = {
        name: {"source": source, "png": _sha((HERE / name).read_bytes())}
        for name, source in fingerprints().items()
    }
    text = json.dumps(record, indent=2, sort_keys=True) + "\n"
    (HERE / "samples.json").write_text(text, "utf-8")


def _screenshot(browser: str, work: Path, fonts_conf: str, size: str) -> None:
    import pylopdf_fonts_zh_cn

    fonts = Path(pylopdf_fonts_zh_cn.__file__).parent
    conf = work / "fonts.conf"
    conf.write_text(fonts_conf.format(fonts=fonts, cache=work / "cache"), "utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        size,
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
    for name in ARTICLES:
        article_sample(name)
    form_html_sample()
    write_record()
