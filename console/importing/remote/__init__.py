"""Readers of remote-support tools' own logs (TeamViewer, AnyDesk, RustDesk), one module per tool."""
