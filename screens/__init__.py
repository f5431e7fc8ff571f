"""The Kivy layer: the App, one screen = one .py + one .kv of the same stem, shared widgets."""
