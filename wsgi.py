"""WSGI entry point for gunicorn and the `flask` command."""

from app import create_app

app = create_app()
