#!/bin/sh
# The course image's entry point (deploy/Dockerfile), under tini: bring the learner's copy of
# the course in their home up to date, then run the command (jupyterhub-singleuser).
#
# On Kubernetes the home is a persistent volume mounted over the image's /home/jovyan, empty
# at a learner's first start: the course is copied in then; later starts update the files
# the learner has not edited and never overwrite one they have (course_hub.course_copy,
# the same rule as ./kit hub's).
set -e
if [ -z "${LEARNER:-}" ] && [ -n "${JUPYTERHUB_USER:-}" ]; then
  export LEARNER="$JUPYTERHUB_USER"  # notebook 10 names its export after the hub's user
fi
if ! python -m course_hub.course_copy /opt/wasm-course "$HOME" >/dev/null; then
  echo "[kit] could not refresh the course in $HOME; the server starts with what is there" >&2
fi
exec "$@"
