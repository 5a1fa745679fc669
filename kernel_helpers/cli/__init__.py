"""``python -m kernel_helpers COMMAND``: one module per command, each with ``main(argv)``.

Commands are imported only when run (see ``__main__``), so a broken optional dependency
of one command cannot break the others. May import every other layer.
"""
