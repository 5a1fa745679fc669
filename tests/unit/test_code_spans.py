"""Markdown code spans in the kit's messages: <code> in HTML, bare words in plain text
(walk 8, S3: an HTML output showed "kept as `greeter`" with its backticks)."""

from __future__ import annotations

from kernel_helpers._display import code_spans_html, without_code_marks
from kernel_helpers.course.checks import wrong


def test_a_code_span_is_code_in_html_and_escaped_around_it() -> None:
    assert code_spans_html("run `a<b` & go") == "run <code>a&lt;b</code> &amp; go"
    assert (
        without_code_marks("kept as `greeter` (greeter.path)") == "kept as greeter (greeter.path)"
    )


def test_a_check_message_and_hint_show_no_backticks() -> None:
    result = wrong("the samples in `pull`", "find the function `exit`")
    assert "<code>pull</code>" in result.html() and "<code>exit</code>" in result.html()
    assert "`" not in result.html() and "`" not in result.text()
    assert "the samples in pull" in result.text() and "the function exit" in result.text()
