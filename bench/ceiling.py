"""The ceilings the load benchmark compares against, served by the same gunicorn settings:
a bare "hello world" and a bare page rendering a 5 KB Jinja template."""

from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
ROWS = [{"code": f"{d}.{c}", "name": f"Năng lực số thành phần {d}.{c}", "level": "CB2"}
        for d in range(1, 7) for c in range(1, 5)]


@app.get("/hello")
def hello():
    return "Xin chào"


@app.get("/template")
def template():
    return render_template("ceiling.html", title="Trang mẫu", rows=ROWS)
