"""``python -m course_hub image [--rebuild] [--extra-packages P] [--json]``: build the
course image for a JupyterHub on Kubernetes (``./kit image``; see
:mod:`course_hub.course_image`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from kernel_helpers._display import format_bytes, format_seconds
from kernel_helpers._errors import KitError
from kernel_helpers.cli._output import chatter_to_stderr


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_hub image",
        description="Build the course image (deploy/Dockerfile) from the kit's own Debian base: "
        "the kit, its toolchains and prebuilt data, run as jovyan with KIT_DOCKER=off, for "
        "deploy/z2jh-values.yaml. An image built from the same inputs is kept.",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="build even if the image is up to date"
    )
    parser.add_argument(
        "--extra-packages",
        default="",
        metavar="'PKG ...'",
        help="more Debian packages, e.g. docker.io (the CLI, for a rootless Docker sidecar)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON on stdout, and nothing else there",
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from .course_image import build_course_image

    try:
        with chatter_to_stderr() if args.json else contextlib.nullcontext():
            image = build_course_image(rebuild=args.rebuild, extra_packages=args.extra_packages)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(image.to_json(), indent=2))
    else:
        took = (
            "kept: built earlier from the same inputs"
            if image.reused
            else f"built in {format_seconds(image.build_seconds)}"
        )
        print(
            f"{image.reference} ({image.image_id[7:19]}): {format_bytes(image.size_bytes)}, {took}"
        )
        print(
            "next: load it where the cluster's nodes can pull it (docker push to your registry, or "
            "docker save | ctr -n k8s.io images import - on each node), then "
            "helm upgrade --install ... --values deploy/z2jh-values.yaml"
        )
    return 0
