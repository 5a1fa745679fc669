"""Docker and OCI: connecting, images built from the course's programs, registries, wasm
as an OCI artifact, and the Kubernetes objects that run it.

Owns: ``docker`` (connecting, and saying clearly when there is none), ``images``
(hardened images and containers, cleanup), ``registry`` (a private registry on loopback),
``oci`` (a module packaged, pushed, pulled and run as a shim would; notebook 09),
``containerd`` (a module or image run by containerd with the kit's real wasm shim or runc,
through ``ctr``; issue 26),
``kubernetes`` (RuntimeClass and Pod manifests, the Docker + Wasm diagram),
``course_image`` (the course itself as an image for a JupyterHub on Kubernetes: ``./kit image``).

May import: ``wasm`` and the shared floor (never ``toolchains``: it receives built files).
"""
