"""The thin typer layer: parse arguments, call the core, render, map errors to exit codes."""
