"""support24 console: adapters, file formats, the CLI and the Textual app."""
