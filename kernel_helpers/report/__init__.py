"""What the learner sees of their results: plots, verdicts and exports.

Owns: ``plots`` (the live start-up plot and static charts), ``verdicts`` (sentences
computed from results, never written in advance; ``claims`` the claims and the
thresholds that word them, ``cold_start`` the sentence on 06's cold start), ``questions``
(the embedder's and the Docker or Kubernetes user's start-up ratios, kept apart), ``exports`` (saving, exporting and
aggregating a class's results; notebook 10), ``text`` (a result as plain text, for the
terminal: the one text rendering of a result).

May import: ``bench`` and everything below it.
"""
