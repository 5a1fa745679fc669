"""The course itself: what each notebook checks, shows and offers as a solution.

Owns: ``exercises`` and ``exercises_part2`` (``check_*`` functions and quiz data),
``solutions`` (revealed on request), ``lessons`` (the calls notebooks 06-09 make with their
fallbacks), ``probe`` (the WASI probe of notebook 04), ``doctor`` (notebook 00's report).

May import: every layer below it (``report``, ``bench``, ``containers``, ``toolchains``,
``wasm``, the shared floor). Nothing but ``cli`` and the package's ``__init__`` imports it.
"""
