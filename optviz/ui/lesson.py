"""A guided lesson on the page (`optviz.lesson`): the step's title and text, its claim as
checked on the computed result, Previous/Next, and the gallery's card that starts it.

The lesson and step are view state (``lesson=…&step=K`` in the link, ``lesson`` and
``lesson_step`` in the session); Previous and Next open the other step's link as a
link opened in the address bar would be, keeping projector mode. In projector mode the
bar is one row (its text and claim in a popover), so that the map below it keeps its
Play/Pause and scrubber on a 1280×720 screen.
"""

from __future__ import annotations

import streamlit as st

from optviz.engine import Result
from optviz.lesson import LESSONS, Lesson, expand, fixed
from optviz.presets import Verdict
from optviz.ui.actions import load_link
from optviz.view import View

# Projector mode: the row tucked under the tabs, its buttons no taller than the text, so
# that a map with two legend rows keeps its scrubber inside 1280×720.
_PRESENT_CSS = """
.st-key-lesson_bar { margin-top: -12px; margin-bottom: -14px; }
.st-key-lesson_nav button { min-height: 0; padding-top: 3px; padding-bottom: 3px; }
"""


def open_link(link: str) -> None:
    """`load_link` for links that may name a lesson step: ``lesson=…&step=K`` alone opens
    the step's scenario; an unknown lesson or a step past its end is fixed, with a notice."""
    load_link(expand(link))
    shown, warnings = fixed(View(lesson=st.session_state.lesson, step=st.session_state.lesson_step))
    st.session_state.lesson, st.session_state.lesson_step = shown.lesson, shown.step
    st.session_state.notices += warnings


def go_to(name: str, k: int) -> None:
    """Open step ``k`` of lesson ``name`` (projector mode kept)."""
    load_link(LESSONS[name].link(k, View(present=bool(st.session_state.get("present", False)))))


def step_to(name: str, k: int) -> None:
    """`go_to` from the lesson bar, inside the explorer's fragment: the whole page reruns,
    since the sidebar's controls show the step's scenario too."""
    go_to(name, k)
    st.rerun()


def leave() -> None:
    st.session_state.lesson, st.session_state.lesson_step = "", 1


@st.cache_data(max_entries=16, show_spinner="Checking the step's claim…")
def _verdict(name: str, k: int, _result: Result) -> Verdict:
    """Step k's claim on its own scenario's result (the only result it is asked about)."""
    return LESSONS[name].steps[k - 1].check(_result)


def _nav(lesson: Lesson, k: int, query: str, result: Result, present: bool) -> None:
    """One row (its buttons stay side by side on a phone): Previous, Next, the step's
    title and, in projector mode, a popover with the step's text and claim, and leave."""
    last = len(lesson.steps)
    with st.container(horizontal=True, vertical_alignment="center", key="lesson_nav"):
        st.button("◀ Previous", key="lesson_previous", on_click=step_to, args=(lesson.name, k - 1), disabled=k == 1)
        st.button(
            "Next ▶", key="lesson_next", on_click=step_to, args=(lesson.name, k + 1), disabled=k == last, type="primary"
        )
        st.markdown(f"Step {k} of {last}: **{lesson.steps[k - 1].title}**", width="content")
        if present:
            with st.popover("This step", icon=":material/info:"):
                _step_text(lesson, k, query, result)
            _leave(lesson, "✕")


def _step_text(lesson: Lesson, k: int, query: str, result: Result, *, leave_label: str = "") -> None:
    """The step's text (and a leave button under it, if labelled) beside its claim, as
    checked on the result when the page shows the step's own scenario."""
    step = lesson.steps[k - 1]
    text, claim = st.columns([3, 2])
    text.markdown(step.note)
    if leave_label:
        with text:
            _leave(lesson, leave_label)
    if query == step.scenario.to_query():
        holds, evidence = _verdict(lesson.name, k, result)
        (claim.success if holds else claim.error)(
            f"**Claim:** {step.claim}  \n{'✓ Holds' if holds else '✗ Does not hold'}: {evidence}"
        )
    else:
        claim.info(f"**Claim** (on this step's own scenario, which you have changed): {step.claim}")
        claim.button(f"↺ back to step {k}'s scenario", key="lesson_again", on_click=step_to, args=(lesson.name, k))


def _leave(lesson: Lesson, label: str) -> None:
    st.button(label, key="lesson_leave", on_click=leave, type="tertiary", help=f"leave the lesson “{lesson.title}”")


def lesson_bar(query: str, result: Result) -> bool:
    """The lesson's bar above the map, when the link is in a lesson; True if it was shown."""
    name, k = st.session_state.get("lesson", ""), int(st.session_state.get("lesson_step", 1))
    if name not in LESSONS:
        return False
    present = bool(st.session_state.get("present", False))
    if present:
        st.html(f"<style>{_PRESENT_CSS}</style>")
    with st.container(border=not present, key="lesson_bar"):
        _nav(LESSONS[name], k, query, result, present)
        if not present:
            _step_text(LESSONS[name], k, query, result, leave_label="✕ leave the lesson")
    return True


def lesson_card() -> None:
    """The gallery's card for each lesson: its steps, and a button that starts it."""
    for lesson in LESSONS.values():
        with st.container(border=True):
            st.markdown(f"**Guided lesson: {lesson.title}**")
            st.markdown(" → ".join(step.title.split(":")[0] for step in lesson.steps))
            st.button(
                "Start the lesson", key=f"lesson.{lesson.name}", on_click=go_to, args=(lesson.name, 1), type="primary"
            )
            st.caption(f"Each step has its own link, e.g. `?lesson={lesson.name}&step=1`.")
