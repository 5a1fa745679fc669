"""hello_http: a wasi:http guest in Python, built into a component by componentize-py.

It exports ``wasi:http/incoming-handler``: ``wasmtime serve`` calls ``handle`` once per
request. GET / answers the same line as the course's ``hello``; anything else is 404.
Python because none of the course's four languages reaches wasi:http from what PyPI, npm
and Debian ship (no wit-bindgen, no wasm32-wasip2 Rust target); componentize-py does.

Build by hand (proxy.wit beside this file is the wasi:http 0.2.12 WIT, one file):
  componentize-py -d proxy.wit -w wasi:http/proxy@0.2.12 componentize app -o hello_http.wasm
Serve: wasmtime serve -S cli --addr 127.0.0.1:8080 hello_http.wasm
"""

from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    Method_Get,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

GREETING = b"Hello from WebAssembly and containers!\n"


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        found = isinstance(request.method(), Method_Get) and request.path_with_query() == "/"
        body = GREETING if found else b"not found\n"
        response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain; charset=utf-8")]))
        response.set_status_code(200 if found else 404)
        outgoing = response.body()
        # The response goes out first; its body is then streamed and finished.
        ResponseOutparam.set(response_out, Ok(response))
        with outgoing.write() as stream:
            stream.blocking_write_and_flush(body)
        OutgoingBody.finish(outgoing, None)
