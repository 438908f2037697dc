"""The built-in tools, with pi's names and argument names: read, write, edit, ls, find, grep, bash."""
