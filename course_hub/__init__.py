"""The workshop: the course on a shared machine (``./kit hub``) or a cluster (``./kit image``).

A package of its own beside ``kernel_helpers``, which every learner imports: account and
daemon code never ships in the learner's import. It depends on ``kernel_helpers`` (its
errors, displays, reports and images), never the reverse; the import-linter contract in
pyproject.toml holds both to it.

Owns: ``accounts`` (a hub name to its unix account, creating that account with a private
home, its cgroup limits, the environment a learner's server gets, stopping every process an
account left, removing an account and everything of its uid), ``course_copy`` (the
learner's copy of ``notebooks/`` and ``wasm_examples/``, refreshed from the kit's checkout
at each spawn without overwriting what the learner edited), ``rootless`` (a Docker daemon of
the learner's own, started with their server, or ``KIT_DOCKER=off`` where none can run;
never the host's root socket), ``classroom`` (each learner's hand-in folder, and the
instructor's live view of the class: :func:`class_status`, :func:`class_view`),
``course_image`` and ``image`` (the course as an image for a JupyterHub on Kubernetes),
``errors`` (:class:`HubError`). ``deploy/jupyterhub_config.py`` glues these into
JupyterHub's spawner; nothing here imports JupyterHub, so the logic is typed and tested on
its own.
"""

from __future__ import annotations

from typing import Any

__all__ = ["class_status", "class_view"]


def __getattr__(name: str) -> Any:
    # The class view draws with matplotlib: load it when the instructor's notebook asks,
    # not when the hub's config imports the accounts.
    if name in __all__:
        from . import classroom

        return getattr(classroom, name)
    raise AttributeError(f"module 'course_hub' has no attribute {name!r}")
