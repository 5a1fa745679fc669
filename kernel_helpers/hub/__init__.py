"""The course on a shared machine (``./kit hub``): one unix account per learner.

Owns: ``accounts`` (a hub name to its unix account, creating that account with a private
home, the environment a learner's server gets, stopping every process an account left),
``course_copy`` (the learner's copy of ``notebooks/`` and ``wasm_examples/``, refreshed
from the kit's checkout at each spawn without overwriting what the learner edited),
``rootless`` (a Docker daemon of the learner's own, started with their server, or
``KIT_DOCKER=off`` where none can run; never the host's root socket), ``classroom``
(each learner's hand-in folder, and the instructor's live view of the class).
``deploy/jupyterhub_config.py`` glues these into JupyterHub's spawner; nothing here
imports JupyterHub, so the logic is typed and tested on its own.

May import: every layer below ``cli`` (``course``, ``report``, ``bench``, ``containers``,
``toolchains``, ``wasm``, the shared floor). Only ``cli`` and the hub's config import it.
"""
