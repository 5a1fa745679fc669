"""The workshop's one error, on the kit's exception tree (``except kh.KitError`` still
catches it), so a hub's failures carry their fix like every other error of the kit."""

from __future__ import annotations

from kernel_helpers._errors import KitError

__all__ = ["HubError"]


class HubError(KitError):
    """A learner's account or server on the workshop hub could not be set up."""
