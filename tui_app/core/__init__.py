"""The app's rules, free of any UI: chat turns, models, transfers, options and formatting.

Nothing here imports Textual or Rich; screens and widgets draw what these objects decide.
"""
