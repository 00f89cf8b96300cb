"""The `assistant` command: one entry point that wires corpus, index, assistant, ui and eval."""
