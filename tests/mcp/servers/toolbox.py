"""A real MCP server for the tests, built on the SDK's MCPServer (stdio or streamable HTTP).

Behaviour is chosen with flags so one file covers every case the tests need:
  --name NAME              the server's name
  --tools N                add N trivial tools t0..t{N-1} (for the benchmark)
  --http                   serve streamable HTTP on 127.0.0.1, port 0; prints "PORT <n>" on stdout
  --hang-start             never answer initialize (sleeps before serving)
  --pid-file FILE          write this process's pid there (orphan tests)
  --spawn-child            start a sleeping grandchild in the same process group (orphan tests)
"""


import argparse
import asyncio
import base64
import os
import subprocess
import sys
import time


# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def build(name: str, n_tools: int):
    # imported here: a server that hangs at start-up or only records its pid starts at once
    from mcp.server.mcpserver import Context, Image, MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp_types import EmbeddedResource, ResourceLink, TextResourceContents, ToolAnnotations

    server = MCPServer(name, log_level="ERROR")

    @server.tool(description="Echo the text back.", annotations=ToolAnnotations(readOnlyHint=True))
    def echo(text: str) -> str:
        return text

    @server.tool(description="Add two integers.")
    def add(a: int, b: int) -> dict:
        return {"sum": a + b}

    @server.tool(description="Return a small PNG image.")
    def picture() -> Image:
        return Image(data=PNG, format="png")

    @server.tool(description="Always fails.")
    def broken(reason: str = "it broke") -> str:
        raise ToolError(reason)

    @server.tool(description="Return an embedded resource and a resource link.")
    def resources() -> list:
        return [
            EmbeddedResource(type="resource", resource=TextResourceContents(
                uri="file:///notes.txt", text="the notes", mimeType="text/plain")),
            ResourceLink(type="resource_link", uri="file:///big.csv", name="big.csv"),
        ]

    @server.tool(description="Print a lot of text.")
    def flood(lines: int = 5000) -> str:
        return "\n".join(f"line {i} " + "x" * 40 for i in range(lines))

    @server.tool(description="Sleep for a while, reporting progress.")
    async def slow(seconds: float, ctx: Context) -> str:
        steps = 4
        for i in range(steps):
            await ctx.report_progress(i, steps, f"step {i + 1} of {steps}")
            await asyncio.sleep(seconds / steps)
        return "slept"

    @server.tool(description="Never return.")
    async def hang() -> str:
        marker = os.environ.get("TOOLBOX_HANG_MARKER")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if marker:
                with open(marker, "w") as f:
                    f.write("cancelled")
            raise
        return "never"

    @server.tool(description="Exit the server process at once.")
    def crash() -> str:
        os._exit(3)

    @server.tool(description="Add a tool named 'extra' and announce the change.")
    async def grow(ctx: Context) -> str:
        server.add_tool(lambda: "extra!", name="extra", description="Added later.")
        await ctx.request_context.session.send_tool_list_changed()
        return "grown"

    @server.tool(description="Show an environment variable.")
    def env(key: str) -> str:
        return os.environ.get(key, "")

    def trivial(x: int = 0) -> int:
        return x

    for i in range(n_tools):
        server.add_tool(trivial, name=f"t{i}", description=f"Trivial tool {i}.")
    return server


async def serve_http(server) -> None:
    import socket

    import uvicorn

    app = server.streamable_http_app()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning")
    await uvicorn.Server(config).serve(sockets=[sock])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--name", default="toolbox")
    p.add_argument("--tools", type=int, default=0)
    p.add_argument("--http", action="store_true")
    p.add_argument("--hang-start", action="store_true")
    p.add_argument("--pid-file")
    p.add_argument("--spawn-child", action="store_true")
    p.add_argument("--stderr", default="")
    p.add_argument("--garbage", action="store_true", help="print a line that is not JSON-RPC on stdout first")
    a = p.parse_args()
    if a.pid_file:
        with open(a.pid_file, "a") as f:
            f.write(f"{os.getpid()}\n")
    if a.spawn_child:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
        if a.pid_file:
            with open(a.pid_file, "a") as f:
                f.write(f"{child.pid}\n")
    if a.stderr:
        print(a.stderr, file=sys.stderr, flush=True)
    if a.hang_start:
        time.sleep(3600)
    if a.garbage:
        print("Starting server... {not json", flush=True)
    server = build(a.name, a.tools)
    if a.http:
        asyncio.run(serve_http(server))
    else:
        server.run("stdio")


if __name__ == "__main__":
    main()
