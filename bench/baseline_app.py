"""The baseline the web benchmarks compare against: a bare Flask endpoint rendering a trivial template."""

from flask import Flask, render_template_string

app = Flask(__name__)


@app.get("/")
def trivial():
    return render_template_string("<!doctype html><title>{{ title }}</title><p>{{ title }}</p>", title="baseline")
