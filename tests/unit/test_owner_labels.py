"""Every docker object the kit makes is the learner's (their owner id), in every build step:
a failed build's leftovers and a cut-off build's steps are theirs for cleanup to find."""

from __future__ import annotations

from kernel_helpers.containers.images import _owned_stages, kit_labels, owner_filter, owner_labels


def test_every_stage_of_a_dockerfile_is_labelled_right_after_its_from() -> None:
    dockerfile = "ARG V=1\nfrom scratch AS first\nCOPY a /a\nFROM first\nRUN x \\\n  y\n"
    lines = _owned_stages(dockerfile).splitlines()
    labels = [i for i, line in enumerate(lines) if line.startswith("LABEL ")]
    assert labels == [2, 5]
    assert lines[1] == "from scratch AS first" and lines[4] == "FROM first"
    for name, value in owner_labels().items():
        assert f'{name}="{value}"' in lines[2]
    assert "RUN x \\" in lines and "  y" in lines


def test_the_owner_labels_are_what_cleanup_filters_on_and_every_object_carries() -> None:
    assert owner_filter() == {
        "label": [f"{name}={value}" for name, value in owner_labels().items()]
    }
    assert owner_labels().items() <= kit_labels("test").items()
