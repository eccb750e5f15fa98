"""PACT build: load the content, validate it, render it, package the plugin."""
