"""The app's screens: one per top-level area, plus dialogs."""
