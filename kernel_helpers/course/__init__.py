"""The course itself: what each notebook checks, shows and offers as a solution.

Owns: ``checks`` (what every exercise shares: ``CheckResult``, the ``exercise`` decorator
that makes a check answer "not yet" to ``...`` and never raise, the ``Solution`` type and
``solution()``), then one module per notebook, ``nb00`` ... ``nb12``, each holding that
notebook's ``check_*`` functions, quiz data, lesson helpers (with their fallbacks) and its
``SOLUTIONS``; ``programs`` (compiling and running a program the learner wrote, for the
checks that grade one and the magics' native runs); ``probe`` (the WASI probe of notebook
04), ``doctor`` (notebook 00's report), ``notebook_filter`` (the git clean filter and
JupyterLab save hook that keep run notebooks out of ``git status``) and ``magics`` (``%%wasm c|cpp|rust|go`` and
``%%wat``, which ``%load_ext kernel_helpers`` registers). A new notebook gets an ``nbXX``
module and a place in ``solutions.NOTEBOOK_MODULES``.

Inside the package, ``checks`` is the bottom: the ``nbXX`` modules and ``programs``
import it, and it imports the ``nbXX`` modules only lazily, to collect their solutions.

May import: every layer below it (``report``, ``bench``, ``containers``, ``toolchains``,
``wasm``, the shared floor). Nothing but ``cli`` and the package's ``__init__`` imports it.
"""
