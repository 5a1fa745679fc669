"""Docker and OCI: connecting, images built from the course's programs, registries, wasm
as an OCI artifact, and the Kubernetes objects that run it.

Owns: ``docker`` (connecting, and saying clearly when there is none), ``images`` (hardened
images and containers, cleanup), ``proof`` (the doctor's checks: the docker command on PATH
asks the engine its version and runs one hardened container; hello runs through the wasm
shim), ``registry`` (a private registry on loopback), ``shaped_link`` and ``relay`` (that
registry in a network namespace of its own behind a rate-limited, delayed link; issue 27),
``oci`` (a module packaged, pushed, pulled and run as a shim would; notebook 09),
``containerd`` (a module or image run by containerd with the kit's real wasm shim or runc,
through ``ctr``), ``shim_tour`` (notebook 09's look at a task held open: its shim
processes, the ctr lines, their recording, whether Docker itself could use the shim),
``kubernetes`` (RuntimeClass and Pod manifests, the Docker + Wasm diagram). The course
image is the workshop's (``course_hub.course_image``).

May import: ``wasm`` and the shared floor (never ``toolchains``: it receives built files).
"""
