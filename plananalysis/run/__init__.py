"""Entry points: the command line, the review runner, the app and lab servers."""
