"""Link values shown as literal text: the helpers against a reference Markdown renderer
(markdown-it-py, CommonMark), and every parser's warnings quoting at most `MAX_SHOWN`
characters of a value, with no control characters."""

import html
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from optviz import Scenario, view
from optviz.literal import MAX_SHOWN, WORD_JOINER, clip, html_text, markdown_text, plotly_text
from optviz.view import View

COMMONMARK = MarkdownIt("commonmark", {"html": True})  # raw HTML passes through unless escaped
PLANTED = [
    "[sign in](https://planted.invalid/login)",
    "![t](//planted.invalid/t.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "`code` *em* __strong__ ~~gone~~ $x^2$ :red[red] :smile: &amp; &#60; \\[x\\]",
    "# heading",
    "1. item",
    "| a | b |",
    "<https://planted.invalid>",
]


def rendered(text: str) -> str:
    """What CommonMark shows for ``markdown_text(text)``: the paragraph's text, unescaped."""
    out = COMMONMARK.render(markdown_text(text)).strip()
    assert out.startswith("<p>") and out.endswith("</p>") and "<" not in out[3:-4], out
    return html.unescape(out[3:-4]).replace(WORD_JOINER, "")


@pytest.mark.parametrize("text", PLANTED)
def test_markdown_text_shows_planted_markup_as_it_is(text):
    assert rendered(text) == text


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=80))
def test_markdown_text_is_literal_for_any_line(text):
    if text.strip():  # a paragraph's outer blanks are dropped
        assert rendered(text) == text.strip()


def test_addresses_get_a_word_joiner_that_breaks_autolinks():
    escaped = markdown_text("see https://planted.invalid/a, WWW.planted.invalid and a@planted.invalid")
    assert f"https\\:{WORD_JOINER}\\/\\/" in escaped and f"WWW{WORD_JOINER}\\." in escaped
    assert f"a\\@{WORD_JOINER}planted" in escaped
    assert WORD_JOINER not in markdown_text("lr=0.001 is out of range (1e-06..10)")  # numbers stay copyable


def test_clip_shortens_and_shows_hidden_characters():
    assert clip("steps") == "steps"
    assert clip("x" * MAX_SHOWN) == "x" * MAX_SHOWN
    assert clip("x" * 500) == "x" * (MAX_SHOWN - 1) + "…"
    assert clip("a\nb\x1b[31m\u202ec\u200b") == "a\\nb\\x1b[31m\\u202ec\\u200b"
    assert len(clip("\x00" * 100, 10)) == 10


def test_plotly_and_html_text():
    assert plotly_text("<a href='x'>&</a>") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;"  # plotly.js has no &quot;
    assert html_text("<title>'\"&") == "&lt;title&gt;&#x27;&quot;&amp;"


VALUE = "Ж" * 200 + "\x1b[2J"  # a long value, with a terminal escape, that no message wording contains
QUERIES = {
    **{
        key: f"{key}={VALUE}"
        for key in ("v", "conv", "surface", "schedule", "steps", "seed", "tol", "cloud", "opt", "start", *view.KEYS)
    },
    "f": f"surface=custom&f={VALUE}",
    "domain": f"surface=custom&domain={VALUE}",
    "surface parameter": f"surface=rosenbrock:a={VALUE}",
    "optimizer parameter": f"opt=adam:{VALUE}",
    "start y": f"start=1,{VALUE}",
    "repeated": f"steps={VALUE}&steps=1&view={VALUE}&view=3d",
    "unknown key": f"{VALUE}=1",
}


@pytest.mark.parametrize("key", list(QUERIES))
def test_warnings_quote_at_most_max_shown_characters_of_a_value(key):
    parsed = Scenario.from_query(QUERIES[key], ignore=view.KEYS)
    warnings = parsed.warnings + View.from_query(QUERIES[key], parsed.scenario.steps).warnings
    quoting = [w for w in warnings if "Ж" in w]
    assert quoting, warnings  # the value is quoted somewhere
    for w in quoting:
        assert "Ж" * MAX_SHOWN not in w and "\x1b" not in w, w
        assert "Ж" * (MAX_SHOWN - 1) + "…" in w or "\\x1b" in w, w


def test_the_cli_prints_planted_values_as_plain_clipped_text():
    out = subprocess.run(
        [sys.executable, "-m", "optviz", "run", f"steps={VALUE}&opt=sgd:lr=0.1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stderr == f"warning: steps={'Ж' * (MAX_SHOWN - 1)}… is not a number; using 500\n"
