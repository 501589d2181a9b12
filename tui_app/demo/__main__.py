"""Entry point for ``python -m tui_app.demo``."""

from tui_app.demo import main

if __name__ == "__main__":
    raise SystemExit(main())
