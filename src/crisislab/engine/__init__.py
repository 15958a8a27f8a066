"""The engine: the compiled day loop (kernel.py) and what sets it up and reads it back."""
