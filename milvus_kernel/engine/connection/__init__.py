"""Where the kernel connects and what the server can do: targets and clients, settings, and the
capabilities of Milvus Lite and older servers."""
