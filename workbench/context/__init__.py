"""What the agent knows of the project: context files (AGENTS.md), skills, prompt templates,
`@file` mentions and images, and the user's `!command` shell escape. Below the TUI: headless
mode, the TUI and mob members use the same code."""
