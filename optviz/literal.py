"""Text from a link, shown as the literal text it is.

A link is written by anyone, and what it carries reaches people: parsers quote the values
they fix in warnings, and pages render those warnings as Markdown, titles as Plotly text
and exported pages as HTML. Two steps keep a planted ``[sign in](https://…)``,
``![](https://…)`` or ``<img onerror=…>`` from becoming a link, an image or an element:

- where a value goes into a message, `clip` shortens it (`MAX_SHOWN` characters and an
  ellipsis) and writes control and formatting characters as escapes (``\\n``, ``\\x1b``,
  ``\\u202e``), so a value can neither flood the page nor rewrite a terminal line;
- where a message meets a renderer, it is escaped for that renderer: `markdown_text`
  (Streamlit's notices), `plotly_text` (figure titles) and `html_text` (the exported
  page). The CLI prints messages as they are: clipped values are plain text already.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_SHOWN = 60  # characters of one value quoted in a message
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # control, format (bidi overrides, zero widths), surrogates, separators
# CommonMark lets a backslash escape any ASCII punctuation, which then never starts a
# link, image, emphasis, HTML tag, entity, code span, math ($) or Streamlit directive
# (:red[…], :material/…:, emoji shortcodes).
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
# GFM also turns bare addresses into links after parsing, whatever was escaped
# (https://…, www.…, a@b.c): an invisible word joiner after ':' in '://', after 'www'
# and after '@' breaks each pattern without changing what a reader sees.
_ADDRESS = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def clip(value: object, limit: int = MAX_SHOWN) -> str:
    """``value`` as a message quotes it: hidden characters written as Python escapes, and
    at most ``limit`` characters (the last one an ellipsis when it was longer).

    >>> clip("x" * 100, 10)
    'xxxxxxxxx…'
    """
    shown = str(value)[: limit + 1]  # an escape only lengthens: the rest cannot be shown
    text = "".join(_visible(c) for c in shown)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _visible(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _HIDDEN else char


def markdown_text(text: str) -> str:
    """``text`` as Markdown that Streamlit shows character for character (apart from the
    invisible word joiners that keep addresses from becoming links)."""
    return _PUNCTUATION.sub(r"\\\g<0>", _ADDRESS.sub(WORD_JOINER, text))


def plotly_text(text: str) -> str:
    """``text`` for a Plotly text field (titles, names, hover text): plotly.js reads a
    subset of HTML there (``<a href>``, ``<b>``, ``<br>``) and shows ``&lt;`` as ``<``."""
    return html.escape(text, quote=False)


def html_text(text: str) -> str:
    """``text`` for an HTML element's content or attribute."""
    return html.escape(text)
