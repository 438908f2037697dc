"""Local fake HTTP servers (127.0.0.1 only) speaking the providers' wire formats, for tests."""
