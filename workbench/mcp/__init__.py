"""MCP client side: tools from any MCP server, behind the same approval gate as the built-ins.

- `config`: where servers are configured (`.mcp.json`, `<config dir>/mcp.json`, `[mcp.servers.*]`
  in config.toml), `${VAR}` expansion, problems with file and line;
- `pool`: `MCPClientPool` starts every server in the background and keeps its state;
- `connection`: one server's life on the official SDK (stdio or streamable HTTP / SSE);
- `tool`: `MCPTool`, a server tool in the tool registry as `mcp__SERVER__TOOL`;
- `results`: an MCP tool result as the model and the pane see it;
- `secrets`: configured env/header values masked everywhere they could show;
- `reaper`: the watchdog process that ends every server's process group if the workbench dies.

Nothing here imports Textual: the TUI, headless runs, RPC and mobs all use the same pool.
"""
