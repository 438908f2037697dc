"""The runtime for other programs: `workbench rpc` (JSON-RPC 2.0 over stdio), `workbench mcp-server`
(MCP tools over stdio) and `workbench web` (the TUI in a browser). All of them drive the same
SessionService and event stream as the TUI and headless mode."""
