"""Serve a built site on this machine only:  python tools/serve.py build/lite  [PORT]

``python -m http.server`` would do, except that some Python versions send
``.mjs`` files with a type browsers refuse for ES modules, which stops
JupyterLite's Pyodide kernel. This is the same server with the types fixed,
bound to 127.0.0.1.
"""
import functools
import http.server
import sys
import typing


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: typing.ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json"}


def main(folder, port=8000):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)),
                                             functools.partial(Handler, directory=folder))
    print(f"serving {folder} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.splitlines()[0])
    main(*sys.argv[1:3])
