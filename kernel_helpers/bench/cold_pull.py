"""The untimed steps around each run of the cold-pull variant (``docker-pull-run``).

A pull is cold only when none of the image's layers is on the machine, and an image keeps
its layers while any name points at it. The pull variant pushes the FROM scratch image
that ``docker-scratch`` runs, so both names point at one image: removing the pull's
reference alone would leave the layers, and the pull would download nothing.

So before each run every name of the image is untagged (the layers go), and after it the
other names are put back on the image the run has just pulled. Without that second step
the benchmark worker's later ``docker-scratch`` runs (``--pull=never``) found no image:
notebook 06's extra rounds for the headline ratio, which come after the pull variant,
then timed only the wasm side (walk 8, S5).

Runs in the benchmark worker, which imports the docker SDK only for this variant.
"""

from __future__ import annotations

from typing import Any


class ColdPull:
    """``remove`` before each run, ``restore`` after it (both untimed) for ``reference``."""

    def __init__(self, reference: str) -> None:
        import docker

        self.reference = reference
        self.client: Any = docker.from_env()
        #: The image's other names (docker-scratch's tag), put back after each run.
        self.others: set[str] = set()

    def _image(self) -> Any | None:
        import docker.errors

        try:
            return self.client.images.get(self.reference)
        except docker.errors.ImageNotFound:
            return None

    def remove(self) -> None:
        """Untag every name of the image, so its layers go and the run pulls them all."""
        image = self._image()
        if image is None:
            return
        self.others.update(tag for tag in image.tags if tag != self.reference)
        for tag in image.tags:
            self.client.images.remove(tag, force=True)

    def restore(self) -> None:
        """Put the other names back on the image just pulled. A run whose pull failed left
        nothing to name: that run fails on its own, and a variant that needed one of the
        names says its image was removed."""
        image = self._image() if self.others else None
        if image is None:
            return
        for name in sorted(self.others):
            repository, _, tag = name.rpartition(":")  # Docker lists every name with its tag
            image.tag(repository, tag)
