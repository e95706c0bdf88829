"""Rendering: jinja2 templates, the WeChat-ready article, the approval form.

Core modules here import no typer, rich or git. Heavy libraries (jinja2, markdown-it-py,
css-inline, nh3, Pygments) are imported lazily inside the functions that need them.
"""
